package dev.ecsmigrate.contract;

/**
 * The runner's CloudWatch metrics, in {@link Contract#METRIC_NAMESPACE}, each with the dimension sets
 * {Cluster, Family} and {Cluster}. Users build alarms and dashboards on these names.
 */
public enum MigrationMetric {

    STARTED("MigrationsStarted", Unit.COUNT),
    REJECTED("MigrationsRejected", Unit.COUNT),
    ALREADY_RUNNING("MigrationsAlreadyRunning", Unit.COUNT),
    /** ECS refused the task, or the task never ran (failed to start, image pull error, no exit code). */
    FAILED_TO_START("MigrationsFailedToStart", Unit.COUNT),
    SUCCEEDED("MigrationsSucceeded", Unit.COUNT),
    FAILED("MigrationsFailed", Unit.COUNT),
    /** A run whose task ECS no longer knows, so that its outcome cannot be told. */
    LOST("MigrationsLost", Unit.COUNT),
    /** From the task's start to its stop, for migrations that ran. */
    DURATION("MigrationDuration", Unit.SECONDS),
    LOCK_TAKEOVERS("LockTakeovers", Unit.COUNT),
    /** How long the oldest migration still running has run, measured by every sweep; 0 when none runs. */
    OLDEST_RUNNING_AGE("OldestRunningMigrationAge", Unit.SECONDS);

    /** The CloudWatch units the metrics use. */
    public enum Unit {
        COUNT("Count"), SECONDS("Seconds");

        private final String name;

        Unit(String name) {
            this.name = name;
        }

        public String cloudWatchName() {
            return name;
        }
    }

    private final String metricName;
    private final Unit unit;

    MigrationMetric(String metricName, Unit unit) {
        this.metricName = metricName;
        this.unit = unit;
    }

    public String metricName() {
        return metricName;
    }

    public Unit unit() {
        return unit;
    }
}
