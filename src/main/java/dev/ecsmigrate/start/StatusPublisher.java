package dev.ecsmigrate.start;

import dev.ecsmigrate.contract.MigrationStatus;

/** Sends each status where pipelines and alarms can see it. */
@FunctionalInterface
public interface StatusPublisher {

    /** @throws RuntimeException when the status could not be delivered, so that Lambda retries the event */
    void publish(MigrationStatus status, String statusJson);
}
