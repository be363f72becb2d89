package dev.ecsmigrate.start;

/** The outcome of validating one trigger event. */
public sealed interface Validation permits Validation.Accepted, Validation.Rejected {

    /** A valid event. */
    record Accepted(MigrationRequest request) implements Validation {
    }

    /** An invalid event; the ids are whatever could be read, or null. */
    record Rejected(String reason, String eventId, String correlationId, String taskDefinition) implements Validation {
    }
}
