package dev.ecsmigrate.start;

import dev.ecsmigrate.config.BrokenConfiguration;
import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.contract.MigrationStatus.Outcome;

/**
 * The starter of a broken configuration: every event is rejected with the problem, and nothing starts.
 * The rejection is still recorded when the table can be reached.
 */
public final class Misconfigured implements Starter {

    private final BrokenConfiguration configuration;
    private final RunRecords records;

    public Misconfigured(BrokenConfiguration configuration, RunRecords records) {
        this.configuration = configuration;
        this.records = records;
    }

    @Override
    public Decision start(byte[] rawEvent) {
        Validation.Rejected labels = EventValidator.labels(rawEvent, configuration.reason());
        MigrationStatus status = new MigrationStatus(Outcome.REJECTED, labels.reason(), labels.correlationId(), labels.eventId(),
                null, labels.taskDefinition(), null, null, null);
        return new Decision(status, labels.wellFormed() ? () -> records.record(status) : Decision.Commit.NOTHING);
    }
}
