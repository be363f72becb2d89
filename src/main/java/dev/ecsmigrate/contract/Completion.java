package dev.ecsmigrate.contract;

import dev.ecsmigrate.json.Json;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How one migration task ended: the {@code detail} of the {@code AWS ECS Migration Task Completed} event
 * and the verdict in the run's record (CONTRACT.md section 5). {@link #toJson()} writes the contract's
 * field names and leaves out the empty ones.
 *
 * @param exitCode the migration container's exit code, or null when it has none
 * @param container the container whose exit code decides, or null when it cannot be told
 */
public record Completion(
        MigrationResult result,
        Integer exitCode,
        String stopCode,
        String reason,
        String container,
        String correlationId,
        String taskArn,
        String taskDefinition,
        String cluster,
        Instant startedAt,
        Instant stoppedAt) {

    public Completion {
        if (result == null || reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a completion needs a result and a reason");
        }
        reason = Text.fit(reason, MigrationStatus.MAX_REASON);
        stopCode = Text.fit(stopCode, MigrationStatus.MAX_FIELD);
        container = Text.fit(container, MigrationStatus.MAX_FIELD);
        correlationId = Text.fit(correlationId, MigrationStatus.MAX_FIELD);
        taskArn = Text.fit(taskArn, MigrationStatus.MAX_FIELD);
        taskDefinition = Text.fit(taskDefinition, MigrationStatus.MAX_FIELD);
        cluster = Text.fit(cluster, MigrationStatus.MAX_FIELD);
    }

    /** Seconds from the task's start to its stop; null when it never started. */
    public Long durationSeconds() {
        return startedAt == null || stoppedAt == null || stoppedAt.isBefore(startedAt) ? null
                : stoppedAt.getEpochSecond() - startedAt.getEpochSecond();
    }

    /** The fields in the contract's order, the empty ones left out; numbers as {@link Json.Number}. */
    public Map<String, Object> fields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("result", result.word());
        if (exitCode != null) {
            fields.put("exit_code", new Json.Number(exitCode.toString()));
        }
        put(fields, "stop_code", stopCode);
        fields.put("reason", reason);
        put(fields, "container", container);
        put(fields, "correlation_id", correlationId);
        put(fields, "task_arn", taskArn);
        put(fields, "task_definition", taskDefinition);
        put(fields, "cluster", cluster);
        put(fields, "started_at", startedAt == null ? null : startedAt.toString());
        put(fields, "stopped_at", stoppedAt == null ? null : stoppedAt.toString());
        Long duration = durationSeconds();
        if (duration != null) {
            fields.put("duration_seconds", new Json.Number(duration.toString()));
        }
        return fields;
    }

    /** The event's detail: one line of JSON. */
    public String toJson() {
        return Json.write(fields());
    }

    private static void put(Map<String, Object> fields, String name, String value) {
        if (value != null) {
            fields.put(name, value);
        }
    }
}
