package dev.ecsmigrate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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

    private final ObjectMapper mapper;
    private final String region;
    private final String accountId;
    private final Set<String> allowedFamilies;

    public EventValidator(ObjectMapper mapper, String region, String accountId, Set<String> allowedFamilies) {
        this.mapper = mapper;
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
        JsonNode event = readQuietly(rawEvent);
        JsonNode detail = event.path("detail");
        return new Rejected(reason, text(event, "id"), text(detail, "correlation_id"), text(detail, "taskdef_arn"));
    }

    public Result validate(byte[] rawEvent) {
        JsonNode event;
        try {
            event = mapper.readTree(rawEvent);
        } catch (JsonProcessingException e) {
            return new Rejected("the event is not valid JSON: " + e.getOriginalMessage(), null, null, null);
        } catch (IOException e) {
            return new Rejected("the event could not be read: " + e.getMessage(), null, null, null);
        }
        if (event == null || !event.isObject()) {
            return new Rejected("the event must be a JSON object (an EventBridge envelope), got "
                    + (event == null ? "nothing" : describe(event)), null, null, null);
        }
        JsonNode detail = event.path("detail");
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
        boolean dryRun = detail.path("dry_run").asBoolean(false);
        return new Accepted(new MigrationRequest(eventId, correlationId, taskDefinition, dryRun));
    }

    private static String envelopeProblem(JsonNode event) {
        JsonNode source = event.get("source");
        if (source == null || !SOURCE.equals(source.asText(null))) {
            return "source must be '" + SOURCE + "', got " + describe(source);
        }
        JsonNode detailType = event.get("detail-type");
        if (detailType == null || !DETAIL_TYPE.equals(detailType.asText(null))) {
            return "detail-type must be '" + DETAIL_TYPE + "', got " + describe(detailType);
        }
        JsonNode id = event.get("id");
        if (id != null && !id.isTextual()) {
            return "id must be a string, got " + describe(id);
        }
        JsonNode detail = event.get("detail");
        if (detail == null || !detail.isObject()) {
            return "detail must be a JSON object with taskdef_arn, got " + describe(detail);
        }
        return null;
    }

    private static String detailProblem(JsonNode detail) {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = detail.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!DETAIL_FIELDS.contains(name)) {
                unknown.add("'" + name + "'");
            }
        }
        if (!unknown.isEmpty()) {
            return "detail has unknown field" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + ": the fields allowed are taskdef_arn, correlation_id and dry_run";
        }
        JsonNode arn = detail.get("taskdef_arn");
        if (arn == null || arn.isNull()) {
            return "detail.taskdef_arn is required: a full task-definition ARN, " + TaskDefinitionArn.EXPECTED;
        }
        if (!arn.isTextual()) {
            return "detail.taskdef_arn must be a string, " + TaskDefinitionArn.EXPECTED + ", got " + describe(arn);
        }
        JsonNode correlationId = detail.get("correlation_id");
        if (correlationId != null) {
            if (!correlationId.isTextual()) {
                return "detail.correlation_id must be a string of 1-36 characters from A-Z a-z 0-9 _ - /, got " + describe(correlationId);
            }
            if (!CORRELATION_ID.matcher(correlationId.asText()).matches()) {
                return "detail.correlation_id must be 1-36 characters from A-Z a-z 0-9 _ - / (the limit ECS puts on startedBy), got "
                        + quote(correlationId.asText());
            }
        }
        JsonNode dryRun = detail.get("dry_run");
        if (dryRun != null && !dryRun.isBoolean()) {
            return "detail.dry_run must be true or false (a JSON boolean), got " + describe(dryRun);
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

    private JsonNode readQuietly(byte[] rawEvent) {
        try {
            JsonNode node = mapper.readTree(rawEvent);
            return node == null ? mapper.missingNode() : node;
        } catch (IOException e) {
            return mapper.missingNode();
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private static String quote(String value) {
        return value == null ? "nothing" : "'" + value + "'";
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isTextual()) {
            return "the string '" + node.asText() + "'";
        }
        String json = node.toString();
        String kind = node.isObject() ? "an object " : node.isArray() ? "an array " : node.isBoolean() ? "the boolean "
                : node.isNumber() ? "the number " : "";
        return kind + (json.length() > 80 ? json.substring(0, 77) + "..." : json);
    }
}
