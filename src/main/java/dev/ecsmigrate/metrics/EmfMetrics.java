package dev.ecsmigrate.metrics;

import dev.ecsmigrate.contract.Contract;
import dev.ecsmigrate.contract.MigrationMetric;
import dev.ecsmigrate.json.Json;

import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metrics as CloudWatch Embedded Metric Format documents: one JSON object per line on standard output,
 * which Lambda sends to the function's log group as it is and CloudWatch Logs turns into metrics. No API
 * call, no permission, no latency.
 *
 * <p>Written by hand rather than with aws-embedded-metrics-java: that library brings its own JSON
 * data binding and SLF4J, which this artifact leaves out for its size and its cold start, and the format
 * is one small object (see {@code EmfMetricsTest}, which checks every line against the specification).
 */
public final class EmfMetrics implements Metrics {

    private final PrintStream out;
    private final Clock clock;

    public EmfMetrics(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /** Standard output, where Lambda's runtime takes log lines as they are. */
    public static EmfMetrics toStandardOutput() {
        return new EmfMetrics(System.out, Clock.systemUTC());
    }

    @Override
    public void record(String cluster, String family, Map<MigrationMetric, ? extends Number> values) {
        Map<MigrationMetric, String> numbers = new LinkedHashMap<>();
        values.forEach((metric, value) -> {
            String number = number(value);
            if (number != null) {
                numbers.put(metric, number);
            }
        });
        if (numbers.isEmpty()) {
            return;
        }
        out.println(document(cluster, family, numbers, clock.millis()));
        out.flush();
    }

    /** One EMF document: the _aws metadata, the dimension values and one value per metric, at the root. */
    static String document(String cluster, String family, Map<MigrationMetric, String> values, long timestamp) {
        List<Object> definitions = new ArrayList<>();
        for (MigrationMetric metric : values.keySet()) {
            Map<String, Object> definition = new LinkedHashMap<>();
            definition.put("Name", metric.metricName());
            definition.put("Unit", metric.unit().cloudWatchName());
            definitions.add(definition);
        }
        List<Object> dimensionSets = family == null ? List.of(List.of("Cluster"))
                : List.of(List.of("Cluster", "Family"), List.of("Cluster"));
        Map<String, Object> directive = new LinkedHashMap<>();
        directive.put("Namespace", Contract.METRIC_NAMESPACE);
        directive.put("Dimensions", dimensionSets);
        directive.put("Metrics", definitions);
        Map<String, Object> aws = new LinkedHashMap<>();
        aws.put("Timestamp", new Json.Number(Long.toString(timestamp)));
        aws.put("CloudWatchMetrics", List.of(directive));

        Map<String, Object> document = new LinkedHashMap<>();
        document.put("_aws", aws);
        document.put("Cluster", dimensionValue(cluster));
        if (family != null) {
            document.put("Family", dimensionValue(family));
        }
        values.forEach((metric, number) -> document.put(metric.metricName(), new Json.Number(number)));
        return Json.write(document);
    }

    /** A dimension value is a non-empty string of at most 1024 characters. */
    private static String dimensionValue(String value) {
        if (value == null || value.isBlank()) {
            return "unknown";
        }
        if (value.length() <= 1024) {
            return value;
        }
        // Never half of a surrogate pair.
        return value.substring(0, Character.isHighSurrogate(value.charAt(1023)) ? 1023 : 1024);
    }

    /** A value as a JSON number, or null when it is none (NaN, an infinity): such a value is left out. */
    private static String number(Number value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return Long.toString(value.longValue());
        }
        double decimal = value instanceof Double || value instanceof Float ? value.doubleValue() : parse(value.toString());
        return Double.isFinite(decimal) ? Double.toString(decimal) : null;
    }

    private static double parse(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
