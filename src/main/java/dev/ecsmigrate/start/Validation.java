package dev.ecsmigrate.start;

/** The outcome of validating one trigger event. */
public sealed interface Validation permits Validation.Accepted, Validation.Rejected {

    /** A valid event. */
    record Accepted(MigrationRequest request) implements Validation {
    }

    /**
     * An invalid event; the ids are whatever could be read, or null.
     *
     * @param wellFormed the envelope has the trigger's source and detail-type and an id, so the rejection is
     *                   recorded as a run (CONTRACT.md section 5); noise is only logged and published
     */
    record Rejected(String reason, String eventId, String correlationId, String taskDefinition, boolean wellFormed)
            implements Validation {
    }
}
