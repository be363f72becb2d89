package dev.ecsmigrate.start;

import dev.ecsmigrate.contract.MigrationStatus;

/**
 * What the start path decided for one event, and the writes that make it durable (the lock's task, the run
 * record). The handler logs the status first, then commits, then publishes: a table that cannot be reached
 * never loses the status line.
 *
 * @param tookOver whether this run took over the lock of a stale run (a metric counts those)
 */
public record Decision(MigrationStatus status, Commit commit, boolean tookOver) {

    /** A decision that took over no lock. */
    public Decision(MigrationStatus status, Commit commit) {
        this(status, commit, false);
    }

    /** The writes that go with a status; thrown failures are transient, for Lambda to retry. */
    @FunctionalInterface
    public interface Commit {

        Commit NOTHING = () -> { };

        void run();
    }
}
