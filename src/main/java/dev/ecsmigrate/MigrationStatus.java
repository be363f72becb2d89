package dev.ecsmigrate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The one outcome of one event: returned, logged as one JSON line, and published to EventBridge.
 * Field names are the public contract (CONTRACT.md section 2).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"status", "reason", "correlation_id", "event_id", "cluster", "task_definition", "task_arn",
        "started_by", "container"})
public record MigrationStatus(
        @JsonProperty("status") Outcome status,
        @JsonProperty("reason") String reason,
        @JsonProperty("correlation_id") String correlationId,
        @JsonProperty("event_id") String eventId,
        @JsonProperty("cluster") String cluster,
        @JsonProperty("task_definition") String taskDefinition,
        @JsonProperty("task_arn") String taskArn,
        @JsonProperty("started_by") String startedBy,
        @JsonProperty("container") String container) {

    /** The status values; users build alarms on these names. */
    public enum Outcome { STARTED, ALREADY_RUNNING, REJECTED, DRY_RUN, FAILED }

    public MigrationStatus {
        if (status == null) {
            throw new IllegalArgumentException("status is required");
        }
        if (status != Outcome.STARTED && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException("reason is required for status " + status);
        }
    }
}
