package dev.ecsmigrate.complete;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsmigrate.json.Json;
import dev.ecsmigrate.verdict.StoppedTask;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the completion function is invoked with: an ECS task state change, the sweep's schedule, or neither. */
public sealed interface CompletionTrigger {

    /** An {@code ECS Task State Change} event (source {@code aws.ecs}). */
    record TaskChange(StoppedTask task) implements CompletionTrigger {
    }

    /** The sweep's schedule: an EventBridge {@code Scheduled Event}. */
    record Sweep() implements CompletionTrigger {
    }

    /** Anything else: logged and left alone, never thrown (a retry cannot make it readable). */
    record Unreadable(String reason) implements CompletionTrigger {
    }

    static CompletionTrigger read(byte[] raw) {
        Object parsed;
        try {
            parsed = Json.parse(raw);
        } catch (JsonProcessingException e) {
            return new Unreadable("the event is not JSON: " + e.getOriginalMessage());
        }
        if (!(parsed instanceof Map<?, ?> event)) {
            return new Unreadable("the event is " + Json.describe(parsed) + ", not an object");
        }
        Object source = event.get("source");
        Object detailType = event.get("detail-type");
        if ("aws.events".equals(source) && "Scheduled Event".equals(detailType)) {
            return new Sweep();
        }
        if (!"aws.ecs".equals(source) || !"ECS Task State Change".equals(detailType)) {
            return new Unreadable("not an ECS task state change nor the sweep's schedule: source " + Json.describe(source)
                    + ", detail-type " + Json.describe(detailType));
        }
        if (!(event.get("detail") instanceof Map<?, ?> detail)) {
            return new Unreadable("the task state change has no detail object");
        }
        String taskArn = text(detail, "taskArn");
        if (taskArn == null) {
            return new Unreadable("the task state change names no taskArn");
        }
        List<StoppedTask.Container> containers = new ArrayList<>();
        if (detail.get("containers") instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> container) {
                    containers.add(new StoppedTask.Container(text(container, "name"), exitCode(container.get("exitCode")),
                            text(container, "reason"), text(container, "lastStatus")));
                }
            }
        }
        return new TaskChange(new StoppedTask(taskArn, text(detail, "clusterArn"), text(detail, "group"), text(detail, "startedBy"),
                text(detail, "taskDefinitionArn"), text(detail, "lastStatus"), text(detail, "stopCode"), text(detail, "stoppedReason"),
                time(detail, "createdAt"), time(detail, "startedAt"), time(detail, "stoppedAt"), version(detail.get("version")),
                containers));
    }

    private static String text(Map<?, ?> object, String name) {
        return object.get(name) instanceof String value && !value.isEmpty() ? value : null;
    }

    private static Instant time(Map<?, ?> object, String name) {
        String value = text(object, name);
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** An exit code as ECS writes it (a 32-bit integer: Windows containers exit with large negative codes); anything else counts as none. */
    private static Integer exitCode(Object value) {
        if (value instanceof Json.Number number && number.text().matches("-?\\d{1,10}")) {
            long code = Long.parseLong(number.text());
            return code >= Integer.MIN_VALUE && code <= Integer.MAX_VALUE ? (int) code : null;
        }
        return null;
    }

    private static long version(Object value) {
        return value instanceof Json.Number number && number.text().matches("\\d{1,18}") ? Long.parseLong(number.text()) : -1;
    }
}
