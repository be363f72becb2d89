package dev.ecsmigrate.start;

import dev.ecsmigrate.contract.MigrationStatus;

/**
 * A record of every run, keyed by correlation id (CONTRACT.md section 5). Statuses that start a task or
 * give a lock back are recorded by {@link MigrationLock}, together with the lock; these are the others.
 */
@FunctionalInterface
public interface RunRecords {

    /** Nowhere to record: the table is not configured usably, so statuses are logged and published only. */
    RunRecords NONE = status -> { };

    /**
     * Records a status that involves no task of this run: REJECTED, DRY_RUN, ALREADY_RUNNING. It never
     * overwrites the record of a run that has a task; a repeated delivery of such a run is only counted.
     */
    void record(MigrationStatus status);
}
