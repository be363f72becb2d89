package dev.ecsmigrate.start;

import dev.ecsmigrate.config.BrokenConfiguration;
import dev.ecsmigrate.contract.MigrationStatus.Outcome;
import dev.ecsmigrate.contract.MigrationStatus;

/** The starter of a broken configuration: every event is rejected with the problem, and nothing starts. */
public final class Misconfigured implements Starter {

    private final BrokenConfiguration configuration;

    public Misconfigured(BrokenConfiguration configuration) {
        this.configuration = configuration;
    }

    @Override
    public MigrationStatus start(byte[] rawEvent) {
        Validation.Rejected labels = EventValidator.labels(rawEvent, configuration.reason());
        return new MigrationStatus(Outcome.REJECTED, labels.reason(), labels.correlationId(), labels.eventId(), null,
                labels.taskDefinition(), null, null, null);
    }
}
