package dev.ecsmigrate;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The one outcome of one event: returned, logged as one JSON line, and published to EventBridge.
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

    public MigrationStatus {
        if (status == null) {
            throw new IllegalArgumentException("status is required");
        }
        if (status != Outcome.STARTED && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException("reason is required for status " + status);
        }
    }

    /** The status as one line of JSON with the contract's field names. */
    public String toJson() {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator json = Json.FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("status", status.name());
            field(json, "reason", reason);
            field(json, "correlation_id", correlationId);
            field(json, "event_id", eventId);
            field(json, "cluster", cluster);
            field(json, "task_definition", taskDefinition);
            field(json, "task_arn", taskArn);
            field(json, "started_by", startedBy);
            field(json, "container", container);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void field(JsonGenerator json, String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }
}
