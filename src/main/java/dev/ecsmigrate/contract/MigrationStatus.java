package dev.ecsmigrate.contract;

import dev.ecsmigrate.json.Json;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one outcome of one trigger event: returned, logged as one JSON line, and published to EventBridge.
 * Field names are the public contract (CONTRACT.md section 2); {@link #toJson()} writes them in that order
 * and leaves out the empty ones.
 */
public record MigrationStatus(
        Outcome status,
        String reason,
        String correlationId,
        String eventId,
        String cluster,
        String taskDefinition,
        String taskArn,
        String startedBy,
        String container) {

    /** The status values; users build alarms on these names. */
    public enum Outcome { STARTED, ALREADY_RUNNING, REJECTED, DRY_RUN, FAILED }

    /**
     * The longest reason a status carries. With {@link #MAX_FIELD}, it keeps every status far inside
     * EventBridge's 256 KB entry, whatever an event echoes into it: even if every character were escaped
     * to six bytes, a status stays under 20 KB.
     */
    public static final int MAX_REASON = 1000;
    /** The longest value of any other field; ECS ARNs and the contract's ids are much shorter. */
    public static final int MAX_FIELD = 300;

    public MigrationStatus {
        if (status == null) {
            throw new IllegalArgumentException("status is required");
        }
        if (status != Outcome.STARTED && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException("reason is required for status " + status);
        }
        reason = Text.fit(reason, MAX_REASON);
        correlationId = Text.fit(correlationId, MAX_FIELD);
        eventId = Text.fit(eventId, MAX_FIELD);
        cluster = Text.fit(cluster, MAX_FIELD);
        taskDefinition = Text.fit(taskDefinition, MAX_FIELD);
        taskArn = Text.fit(taskArn, MAX_FIELD);
        startedBy = Text.fit(startedBy, MAX_FIELD);
        container = Text.fit(container, MAX_FIELD);
    }

    /** The status as one line of JSON with the contract's field names. */
    public String toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("status", status.name());
        put(fields, "reason", reason);
        put(fields, "correlation_id", correlationId);
        put(fields, "event_id", eventId);
        put(fields, "cluster", cluster);
        put(fields, "task_definition", taskDefinition);
        put(fields, "task_arn", taskArn);
        put(fields, "started_by", startedBy);
        put(fields, "container", container);
        return Json.write(fields);
    }

    private static void put(Map<String, Object> fields, String name, String value) {
        if (value != null) {
            fields.put(name, value);
        }
    }
}
