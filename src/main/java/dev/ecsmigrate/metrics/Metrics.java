package dev.ecsmigrate.metrics;

import dev.ecsmigrate.contract.MigrationMetric;

import java.util.Map;

/** Where the runner's metrics go (CloudWatch, through the Embedded Metric Format); a port, so tests can read them. */
@FunctionalInterface
public interface Metrics {

    /** No metrics: for tests that do not look at them. */
    Metrics NONE = (cluster, family, values) -> { };

    /**
     * Records these values for one family's migrations on one cluster.
     *
     * @param family the task-definition family, or null when the event named none (the metric then has the
     *               Cluster dimension only)
     */
    void record(String cluster, String family, Map<MigrationMetric, ? extends Number> values);
}
