package dev.ecsmigrate;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the raw EventBridge envelope into a {@link MigrationRequest}, or into a rejection whose reason
 * names the field and what was expected. It never throws on bad input.
 */
public final class EventValidator {

    public static final String SOURCE = "ecs.migration";
    public static final String DETAIL_TYPE = "AWS ECS Migration Task";

    /** The characters and length ECS allows in {@code startedBy}. */
    static final Pattern CORRELATION_ID = Pattern.compile("[A-Za-z0-9_\\-/]{1,36}");
    private static final Set<String> DETAIL_FIELDS = Set.of("taskdef_arn", "correlation_id", "dry_run");

    private final String region;
    private final String accountId;
    private final Set<String> allowedFamilies;

    public EventValidator(String region, String accountId, Set<String> allowedFamilies) {
        this.region = region;
        this.accountId = accountId;
        this.allowedFamilies = Set.copyOf(allowedFamilies);
    }

    /** The outcome of validating one event. */
    public sealed interface Result permits Accepted, Rejected {
    }

    /** A valid event. */
    public record Accepted(MigrationRequest request) implements Result {
    }

    /** An invalid event; ids are whatever could be read, or null. */
    public record Rejected(String reason, String eventId, String correlationId, String taskDefinition) implements Result {
    }

    /** Reads just enough of an event to label a status, even when the rest of it is invalid. */
    public Rejected reject(byte[] rawEvent, String reason) {
        Map<?, ?> event;
        try {
            event = Json.parse(rawEvent) instanceof Map<?, ?> object ? object : Map.of();
        } catch (JsonProcessingException e) {
            event = Map.of();
        }
        Map<?, ?> detail = event.get("detail") instanceof Map<?, ?> object ? object : Map.of();
        return new Rejected(reason, text(event, "id"), text(detail, "correlation_id"), text(detail, "taskdef_arn"));
    }

    public Result validate(byte[] rawEvent) {
        Object parsed;
        try {
            parsed = Json.parse(rawEvent);
        } catch (JsonProcessingException e) {
            return new Rejected("the event is not valid JSON: " + e.getOriginalMessage(), null, null, null);
        }
        if (!(parsed instanceof Map<?, ?> event)) {
            return new Rejected("the event must be a JSON object (an EventBridge envelope), got " + Json.describe(parsed),
                    null, null, null);
        }
        Map<?, ?> detail = event.get("detail") instanceof Map<?, ?> object ? object : Map.of();
        String eventId = text(event, "id");
        String rawCorrelationId = text(detail, "correlation_id");
        String rawTaskDefinition = text(detail, "taskdef_arn");

        String problem = envelopeProblem(event);
        if (problem == null) {
            problem = detailProblem(detail);
        }
        if (problem != null) {
            return new Rejected(problem, eventId, rawCorrelationId, rawTaskDefinition);
        }

        String correlationId = rawCorrelationId != null ? rawCorrelationId : eventId;
        if (rawCorrelationId == null && (eventId == null || !CORRELATION_ID.matcher(eventId).matches())) {
            return new Rejected("detail.correlation_id is missing and the event id " + quote(eventId)
                    + " cannot stand in for it (1-36 characters from A-Z a-z 0-9 _ - /): set detail.correlation_id",
                    eventId, null, rawTaskDefinition);
        }

        TaskDefinitionArn taskDefinition;
        try {
            taskDefinition = TaskDefinitionArn.parse(rawTaskDefinition);
        } catch (IllegalArgumentException e) {
            return new Rejected(e.getMessage(), eventId, correlationId, rawTaskDefinition);
        }
        problem = ownershipProblem(taskDefinition);
        if (problem != null) {
            return new Rejected(problem, eventId, correlationId, rawTaskDefinition);
        }
        boolean dryRun = Boolean.TRUE.equals(detail.get("dry_run"));
        return new Accepted(new MigrationRequest(eventId, correlationId, taskDefinition, dryRun));
    }

    private static String envelopeProblem(Map<?, ?> event) {
        Object source = event.get("source");
        if (!SOURCE.equals(source)) {
            return "source must be '" + SOURCE + "', got " + Json.describe(source);
        }
        Object detailType = event.get("detail-type");
        if (!DETAIL_TYPE.equals(detailType)) {
            return "detail-type must be '" + DETAIL_TYPE + "', got " + Json.describe(detailType);
        }
        Object id = event.get("id");
        if (id != null && !(id instanceof String)) {
            return "id must be a string, got " + Json.describe(id);
        }
        Object detail = event.get("detail");
        if (!(detail instanceof Map)) {
            return "detail must be a JSON object with taskdef_arn, got " + Json.describe(detail);
        }
        return null;
    }

    private static String detailProblem(Map<?, ?> detail) {
        List<String> unknown = new ArrayList<>();
        for (Object name : detail.keySet()) {
            if (!DETAIL_FIELDS.contains(name)) {
                unknown.add("'" + name + "'");
            }
        }
        if (!unknown.isEmpty()) {
            return "detail has unknown field" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + ": the fields allowed are taskdef_arn, correlation_id and dry_run";
        }
        Object arn = detail.get("taskdef_arn");
        if (arn == null || arn == Json.NULL) {
            return "detail.taskdef_arn is required: a full task-definition ARN, " + TaskDefinitionArn.EXPECTED;
        }
        if (!(arn instanceof String)) {
            return "detail.taskdef_arn must be a string, " + TaskDefinitionArn.EXPECTED + ", got " + Json.describe(arn);
        }
        Object correlationId = detail.get("correlation_id");
        if (correlationId != null) {
            if (!(correlationId instanceof String text)) {
                return "detail.correlation_id must be a string of 1-36 characters from A-Z a-z 0-9 _ - /, got "
                        + Json.describe(correlationId);
            }
            if (!CORRELATION_ID.matcher(text).matches()) {
                return "detail.correlation_id must be 1-36 characters from A-Z a-z 0-9 _ - / (the limit ECS puts on startedBy), got "
                        + quote(text);
            }
        }
        Object dryRun = detail.get("dry_run");
        if (dryRun != null && !(dryRun instanceof Boolean)) {
            return "detail.dry_run must be true or false (a JSON boolean), got " + Json.describe(dryRun);
        }
        return null;
    }

    private String ownershipProblem(TaskDefinitionArn arn) {
        if (!arn.region().equals(region)) {
            return "detail.taskdef_arn must be in the function's region " + region + ", got region " + arn.region()
                    + ": send the event to the runner deployed in " + arn.region();
        }
        if (!arn.accountId().equals(accountId)) {
            return "detail.taskdef_arn must be in the function's account " + accountId + ", got account " + arn.accountId();
        }
        if (!allowedFamilies.contains(arn.family())) {
            return "task-definition family '" + arn.family() + "' is not allowed: the allowed families are "
                    + String.join(", ", allowedFamilies.stream().sorted().toList())
                    + " (add it to the AllowedFamilies parameter)";
        }
        return null;
    }

    private static String text(Map<?, ?> object, String field) {
        return object.get(field) instanceof String value ? value : null;
    }

    private static String quote(String value) {
        return value == null ? "nothing" : "'" + value + "'";
    }
}
