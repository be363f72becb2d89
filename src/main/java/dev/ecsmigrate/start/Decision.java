package dev.ecsmigrate.start;

import dev.ecsmigrate.contract.MigrationMetric;
import dev.ecsmigrate.contract.TaskDefinitionArn;

import java.util.EnumMap;
import java.util.Map;

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

    /** What the decision counts for in the metrics. */
    public Map<MigrationMetric, Number> measures() {
        Map<MigrationMetric, Number> values = new EnumMap<>(MigrationMetric.class);
        switch (status.status()) {
            case STARTED -> values.put(MigrationMetric.STARTED, 1);
            case REJECTED -> values.put(MigrationMetric.REJECTED, 1);
            case ALREADY_RUNNING -> values.put(MigrationMetric.ALREADY_RUNNING, 1);
            case FAILED -> values.put(MigrationMetric.FAILED_TO_START, 1);
            case DRY_RUN -> { }
        }
        if (tookOver) {
            values.put(MigrationMetric.LOCK_TAKEOVERS, 1);
        }
        return values;
    }

    /** The family of the status's task definition, or null when it names no valid one (a rejection). */
    public String family() {
        try {
            return status.taskDefinition() == null ? null : TaskDefinitionArn.parse(status.taskDefinition()).family();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The writes that go with a status; thrown failures are transient, for Lambda to retry. */
    @FunctionalInterface
    public interface Commit {

        Commit NOTHING = () -> { };

        void run();
    }
}
