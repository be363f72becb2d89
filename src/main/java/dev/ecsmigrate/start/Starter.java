package dev.ecsmigrate.start;

/**
 * Trigger event bytes in, one decision out. Expected outcomes are statuses; throttling, server errors and
 * timeouts stay exceptions so that Lambda retries the event.
 */
@FunctionalInterface
public interface Starter {

    Decision start(byte[] rawEvent);
}
