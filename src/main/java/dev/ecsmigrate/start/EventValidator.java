package dev.ecsmigrate.start;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.contract.Contract;
import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.contract.TaskDefinitionArn;
import dev.ecsmigrate.contract.Text;
import dev.ecsmigrate.json.Json;
import dev.ecsmigrate.start.Validation.Accepted;
import dev.ecsmigrate.start.Validation.Rejected;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the raw EventBridge envelope into a {@link MigrationRequest}, or into a rejection whose reason
 * names the field and what was expected. It never throws on bad input.
 */
public final class EventValidator {

    private static final Set<String> DETAIL_FIELDS = Set.of("taskdef_arn", "correlation_id", "dry_run");

    private final String partition;
    private final String region;
    private final String accountId;
    private final Set<String> allowedFamilies;

    public EventValidator(RunnerConfig config) {
        this.partition = config.home().partition();
        this.region = config.home().region();
        this.accountId = config.accountId();
        this.allowedFamilies = config.allowedFamilies();
    }

    /** Reads just enough of an event to label a rejection, even when the rest of it is invalid. */
    static Rejected labels(byte[] rawEvent, String reason) {
        Map<?, ?> event;
        try {
            event = Json.parse(rawEvent) instanceof Map<?, ?> object ? object : Map.of();
        } catch (JsonProcessingException e) {
            event = Map.of();
        }
        Map<?, ?> detail = event.get("detail") instanceof Map<?, ?> object ? object : Map.of();
        return new Rejected(reason, text(event, "id"), text(detail, "correlation_id"), text(detail, "taskdef_arn"), wellFormed(event));
    }

    /** The trigger's source and detail-type, and an id to record the run by. */
    private static boolean wellFormed(Map<?, ?> event) {
        return Contract.SOURCE.equals(event.get("source")) && Contract.TRIGGER_DETAIL_TYPE.equals(event.get("detail-type"))
                && event.get("id") instanceof String id && !id.isEmpty();
    }

    public Validation validate(byte[] rawEvent) {
        Object parsed;
        try {
            parsed = Json.parse(rawEvent);
        } catch (JsonProcessingException e) {
            return new Rejected("the event is not valid JSON: " + e.getOriginalMessage(), null, null, null, false);
        }
        if (!(parsed instanceof Map<?, ?> event)) {
            return new Rejected("the event must be a JSON object (an EventBridge envelope), got " + Json.describe(parsed),
                    null, null, null, false);
        }
        Map<?, ?> detail = event.get("detail") instanceof Map<?, ?> object ? object : Map.of();
        String eventId = text(event, "id");
        String rawCorrelationId = text(detail, "correlation_id");
        String rawTaskDefinition = text(detail, "taskdef_arn");

        String problem = envelopeProblem(event);
        if (problem == null) {
            problem = detailProblem(detail);
        }
        boolean wellFormed = wellFormed(event);
        if (problem != null) {
            return new Rejected(problem, eventId, rawCorrelationId, rawTaskDefinition, wellFormed);
        }

        String correlationId = rawCorrelationId != null ? rawCorrelationId : eventId;
        if (rawCorrelationId == null && (eventId == null || !Contract.CORRELATION_ID.matcher(eventId).matches())) {
            return new Rejected("detail.correlation_id is missing and the event id " + quote(eventId)
                    + " cannot stand in for it (" + Contract.CORRELATION_ID_RULE + "): set detail.correlation_id",
                    eventId, null, rawTaskDefinition, wellFormed);
        }

        TaskDefinitionArn taskDefinition;
        try {
            taskDefinition = TaskDefinitionArn.parse(rawTaskDefinition);
        } catch (IllegalArgumentException e) {
            return new Rejected(e.getMessage(), eventId, correlationId, rawTaskDefinition, wellFormed);
        }
        problem = ownershipProblem(taskDefinition);
        if (problem != null) {
            return new Rejected(problem, eventId, correlationId, rawTaskDefinition, wellFormed);
        }
        boolean dryRun = Boolean.TRUE.equals(detail.get("dry_run"));
        // The event id is free text (EventBridge makes it a UUID); it travels in tags, records and statuses.
        return new Accepted(new MigrationRequest(Text.fit(eventId, MigrationStatus.MAX_FIELD), correlationId, taskDefinition, dryRun));
    }

    private static String envelopeProblem(Map<?, ?> event) {
        Object source = event.get("source");
        if (!Contract.SOURCE.equals(source)) {
            return "source must be '" + Contract.SOURCE + "', got " + Json.describe(source);
        }
        Object detailType = event.get("detail-type");
        if (!Contract.TRIGGER_DETAIL_TYPE.equals(detailType)) {
            return "detail-type must be '" + Contract.TRIGGER_DETAIL_TYPE + "', got " + Json.describe(detailType);
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
                unknown.add("'" + Json.shorten(String.valueOf(name)) + "'");
            }
        }
        if (!unknown.isEmpty()) {
            String named = unknown.size() <= 5 ? String.join(", ", unknown)
                    : String.join(", ", unknown.subList(0, 5)) + " and " + (unknown.size() - 5) + " more";
            return "detail has unknown field" + (unknown.size() > 1 ? "s " : " ") + named
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
                return "detail.correlation_id must be a string of " + Contract.CORRELATION_ID_RULE + ", got "
                        + Json.describe(correlationId);
            }
            if (!Contract.CORRELATION_ID.matcher(text).matches()) {
                return "detail.correlation_id must be " + Contract.CORRELATION_ID_RULE + " (the limit ECS puts on startedBy), got "
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
        return problemWith(arn, "detail.taskdef_arn");
    }

    /**
     * Why this runner may not run a task definition (another partition, region or account than the function's,
     * or a family off the allow-list), or null when it may.
     *
     * @param subject what the reason calls the task definition, such as {@code detail.taskdef_arn}
     */
    public String problemWith(TaskDefinitionArn arn, String subject) {
        if (!arn.partition().equals(partition)) {
            return subject + " must be in the function's partition " + partition + ", got partition " + arn.partition()
                    + ": send the event to a runner deployed in that partition";
        }
        if (!arn.region().equals(region)) {
            return subject + " must be in the function's region " + region + ", got region " + arn.region()
                    + ": send the event to the runner deployed in " + arn.region();
        }
        if (!arn.accountId().equals(accountId)) {
            return subject + " must be in the function's account " + accountId + ", got account " + arn.accountId();
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
        return value == null ? "nothing" : "'" + Json.shorten(value) + "'";
    }
}
