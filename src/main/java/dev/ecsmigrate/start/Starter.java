package dev.ecsmigrate.start;

import dev.ecsmigrate.contract.MigrationStatus;

/**
 * Trigger event bytes in, one status out. Expected outcomes are statuses; throttling, server errors and
 * timeouts stay exceptions so that Lambda retries the event.
 */
@FunctionalInterface
public interface Starter {

    MigrationStatus start(byte[] rawEvent);
}
