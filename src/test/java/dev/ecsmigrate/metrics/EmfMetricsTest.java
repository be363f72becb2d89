package dev.ecsmigrate.metrics;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ecsmigrate.contract.MigrationMetric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every line {@link EmfMetrics} writes is checked against the CloudWatch Embedded Metric Format specification
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html,
 * its JSON schema and its prose; notes in /tmp/research/emf-alarms.md section 1) by {@link #validEmf}, and read back
 * with Jackson's data binding, a reader that shares nothing with the code that wrote it.
 */
class EmfMetricsTest {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Instant NOW = Instant.parse("2025-06-03T09:15:03.652Z");
    private static final String NAMESPACE = "ECSMigrationRunner";

    /** The schema's Unit pattern, word for word. */
    private static final Pattern UNIT = Pattern.compile("^(Seconds|Microseconds|Milliseconds|Bytes|Kilobytes|Megabytes|Gigabytes|Terabytes"
            + "|Bits|Kilobits|Megabits|Gigabits|Terabits|Percent|Count|Bytes\\/Second|Kilobytes\\/Second|Megabytes\\/Second"
            + "|Gigabytes\\/Second|Terabytes\\/Second|Bits\\/Second|Kilobits\\/Second|Megabits\\/Second|Gigabits\\/Second"
            + "|Terabits\\/Second|Count\\/Second|None)$");
    /** The schema's pattern for names: one line, whatever it holds ('.' matches no line terminator). */
    private static final Pattern ONE_LINE = Pattern.compile("^(.*)$");

    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(written, true, StandardCharsets.UTF_8);

    private EmfMetrics metrics() {
        return new EmfMetrics(out, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** What was written, line by line; every line ends with a newline, and there is nothing else. */
    private List<String> lines() {
        String text = written.toString(StandardCharsets.UTF_8);
        assertThat(text).as("output").endsWith("\n");
        List<String> lines = List.of(text.substring(0, text.length() - 1).split("\n", -1));
        assertThat(lines).as("output").doesNotContain("");
        return lines;
    }

    private JsonNode onlyLine() {
        assertThat(lines()).hasSize(1);
        return validEmf(lines().getFirst());
    }

    // ---------------------------------------------------------------------------------------------------------
    // The validator

    /**
     * The line as a parsed EMF document, after checking every rule of the specification that a document can break:
     * one JSON object and nothing around it; {@code _aws} with an integer {@code Timestamp} in milliseconds and an array of
     * directives; each directive with a 1-255 character Namespace, 1 or more dimension sets of at most 30 names, and at
     * most 100 metric definitions; every dimension name a top-level member with a string value of 1-1024 characters;
     * every metric Name a top-level member with a number (or an array of at most 100 numbers); units from the schema's
     * list. Where versions of the specification differ (255 or 1024 characters; 256 KB or 1 MB), the stricter.
     */
    static JsonNode validEmf(String line) {
        List<String> problems = new ArrayList<>();
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            problems.add("the document spans more than one line");
        }
        if (!line.startsWith("{") || !line.endsWith("}")) {
            problems.add("there is data before or after the JSON object");
        }
        if (line.getBytes(StandardCharsets.UTF_8).length > 256 * 1024) {
            problems.add("the document is larger than a 256 KB log event");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not one JSON document: " + e.getMessage() + "\n  line: " + line, e);
        }
        if (root == null || !root.isObject()) {
            throw new AssertionError("the document is not a JSON object: " + line);
        }
        JsonNode aws = root.get("_aws");
        if (aws == null || !aws.isObject()) {
            throw new AssertionError("_aws is missing or not an object: " + line);
        }
        Set<String> awsMembers = names(aws);
        awsMembers.removeAll(Set.of("Timestamp", "CloudWatchMetrics"));
        if (!awsMembers.isEmpty()) {
            problems.add("_aws has members the specification does not define: " + awsMembers);
        }
        JsonNode timestamp = aws.get("Timestamp");
        if (timestamp == null || !timestamp.isIntegralNumber() || !timestamp.canConvertToLong() || timestamp.asLong() < 0) {
            problems.add("_aws.Timestamp is not a non-negative integer number of milliseconds: " + timestamp);
        }
        JsonNode directives = aws.get("CloudWatchMetrics");
        if (directives == null || !directives.isArray() || directives.isEmpty()) {
            problems.add("_aws.CloudWatchMetrics is not a non-empty array: " + directives);
        } else {
            for (JsonNode directive : directives) {
                directive(root, directive, problems);
            }
        }
        assertThat(problems).as("EMF problems in %s", line).isEmpty();
        return root;
    }

    private static void directive(JsonNode root, JsonNode directive, List<String> problems) {
        if (!directive.isObject()) {
            problems.add("a MetricDirective is not an object: " + directive);
            return;
        }
        if (!names(directive).equals(Set.of("Namespace", "Dimensions", "Metrics"))) {
            problems.add("a MetricDirective must have exactly Namespace, Dimensions and Metrics, has " + names(directive));
        }
        JsonNode namespace = directive.get("Namespace");
        if (namespace == null || !namespace.isTextual() || !name(namespace.textValue(), 255)) {
            problems.add("Namespace is not a string of 1-255 characters on one line: " + namespace);
        } else if (namespace.textValue().startsWith("AWS/")) {
            problems.add("Namespace " + namespace + " is reserved for AWS");
        }
        JsonNode dimensions = directive.get("Dimensions");
        if (dimensions == null || !dimensions.isArray() || dimensions.isEmpty()) {
            problems.add("Dimensions is not an array of at least one DimensionSet: " + dimensions);
        } else {
            for (JsonNode set : dimensions) {
                if (!set.isArray() || set.size() > 30) {
                    problems.add("a DimensionSet is not an array of at most 30 names: " + set);
                    continue;
                }
                for (JsonNode dimension : set) {
                    if (!dimension.isTextual() || !name(dimension.textValue(), 250)) {
                        problems.add("a dimension name is not a string of 1-250 characters on one line: " + dimension);
                        continue;
                    }
                    JsonNode value = root.get(dimension.textValue());
                    if (value == null) {
                        problems.add("dimension " + dimension + " is not a top-level member");
                    } else if (!value.isTextual() || value.textValue().isBlank() || value.textValue().length() > 1024) {
                        problems.add("dimension " + dimension + " has no string value of 1-1024 characters: " + value);
                    }
                }
            }
        }
        JsonNode metrics = directive.get("Metrics");
        if (metrics == null || !metrics.isArray() || metrics.isEmpty() || metrics.size() > 100) {
            problems.add("Metrics is not an array of 1-100 MetricDefinitions: " + metrics);
            return;
        }
        for (JsonNode metric : metrics) {
            if (!metric.isObject() || !Set.of("Name", "Unit", "StorageResolution").containsAll(names(metric))) {
                problems.add("a MetricDefinition is not an object of Name, Unit and StorageResolution: " + metric);
                continue;
            }
            JsonNode name = metric.get("Name");
            if (name == null || !name.isTextual() || !name(name.textValue(), 255)) {
                problems.add("a metric Name is not a string of 1-255 characters on one line: " + name);
                continue;
            }
            JsonNode unit = metric.get("Unit");
            if (unit != null && (!unit.isTextual() || !UNIT.matcher(unit.textValue()).matches())) {
                problems.add("metric " + name + " has a unit CloudWatch does not know: " + unit);
            }
            JsonNode resolution = metric.get("StorageResolution");
            if (resolution != null && !(resolution.isIntegralNumber() && (resolution.asInt() == 1 || resolution.asInt() == 60))) {
                problems.add("metric " + name + " has a StorageResolution other than 1 or 60: " + resolution);
            }
            JsonNode value = root.get(name.textValue());
            if (value == null) {
                problems.add("metric " + name + " is not a top-level member");
            } else if (value.isArray()) {
                if (value.size() > 100 || !allNumbers(value)) {
                    problems.add("metric " + name + " is an array that is not of at most 100 numbers: " + value);
                }
            } else if (!value.isNumber()) {
                problems.add("metric " + name + " has a value that is not a number: " + value);
            }
        }
    }

    private static boolean name(String text, int longest) {
        return !text.isEmpty() && text.length() <= longest && ONE_LINE.matcher(text).matches();
    }

    private static boolean allNumbers(JsonNode array) {
        for (JsonNode element : array) {
            if (!element.isNumber()) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new HashSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The validator refuses what the specification refuses: otherwise a green run would prove nothing. */
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"Cluster\"]],\"Metrics\":[{\"Name\":\"M\",\"Unit\":\"Count\"}]}]},\"Cluster\":\"c\",\"M\":1} ",
            "{\"_aws\":{\"Timestamp\":1.5,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"Cluster\"]],\"Metrics\":[{\"Name\":\"M\"}]}]},\"Cluster\":\"c\",\"M\":1}",
            "{\"_aws\":{\"Timestamp\":\"1\",\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"Cluster\"]],\"Metrics\":[{\"Name\":\"M\"}]}]},\"Cluster\":\"c\",\"M\":1}",
            "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"Family\"]],\"Metrics\":[{\"Name\":\"M\"}]}]},\"Cluster\":\"c\",\"M\":1}",
            "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"Cluster\"]],\"Metrics\":[{\"Name\":\"X\"}]}]},\"Cluster\":\"c\",\"M\":1}",
            "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"Cluster\"]],\"Metrics\":[{\"Name\":\"M\"}]}]},\"Cluster\":\"c\",\"M\":\"1\"}",
            "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"Cluster\"]],\"Metrics\":[{\"Name\":\"M\"}]}]},\"Cluster\":3,\"M\":1}",
            "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"Cluster\"]],\"Metrics\":[{\"Name\":\"M\"}]}]},\"Cluster\":\"\",\"M\":1}",
            "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"Cluster\"]],\"Metrics\":[{\"Name\":\"M\",\"Unit\":\"Secs\"}]}]},\"Cluster\":\"c\",\"M\":1}",
            "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[],\"Metrics\":[{\"Name\":\"M\"}]}]},\"Cluster\":\"c\",\"M\":1}",
            "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"\",\"Dimensions\":[[\"Cluster\"]],\"Metrics\":[{\"Name\":\"M\"}]}]},\"Cluster\":\"c\",\"M\":1}",
            "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"Cluster\"]],\"Metrics\":[{\"Name\":\"M\"}]}]},\"Cluster\":\"c\",\"M\":{\"v\":1}}",
            "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"Cluster\"]],\"Metrics\":[{\"Name\":\"M\"}]}]},\"Cluster\":\"c\",\"M\":NaN}",
            "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"Cluster\"]],\"Metrics\":[{\"Name\":\"M\"}]}]},\"Cluster\":\"c\",\"M\":1,\"M\":2}",
            "{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"Cluster\"]],\"Metrics\":[{\"Name\":\"M\"}],\"Extra\":1}]},\"Cluster\":\"c\",\"M\":1}",
            "{\"_aws\":{\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"Cluster\"]],\"Metrics\":[{\"Name\":\"M\"}]}]},\"Cluster\":\"c\",\"M\":1}",
            "{\"Cluster\":\"c\",\"M\":1}"})
    void validEmf_whenTheDocumentBreaksTheSpecification_refusesIt(String line) {
        boolean refused;
        try {
            validEmf(line);
            refused = false;
        } catch (AssertionError e) {
            refused = true;
        }
        assertThat(refused).as("refused: %s", line).isTrue();
    }

    @Test
    void validEmf_whenTheSpecificationsOwnExample_acceptsIt() {
        validEmf("{\"_aws\":{\"Timestamp\":1574109732004,\"CloudWatchMetrics\":[{\"Namespace\":\"lambda-function-metrics\","
                + "\"Dimensions\":[[\"functionVersion\"]],\"Metrics\":[{\"Name\":\"time\",\"Unit\":\"Milliseconds\",\"StorageResolution\":60}]}]},"
                + "\"functionVersion\":\"$LATEST\",\"time\":100,\"requestId\":\"989ffbf8-9ace-4817-a57c-e4dd734019ee\"}");
    }

    // ---------------------------------------------------------------------------------------------------------
    // EmfMetrics

    @Test
    void record_whenAFamilyIsGiven_writesOneValidLineWithClusterFamilyAndClusterDimensions() {
        Map<MigrationMetric, Number> values = new EnumMap<>(MigrationMetric.class);
        values.put(MigrationMetric.SUCCEEDED, 1);
        values.put(MigrationMetric.DURATION, 280L);

        metrics().record("migrations", "app", values);

        JsonNode root = onlyLine();
        assertThat(root.get("_aws").get("Timestamp").asLong()).isEqualTo(NOW.toEpochMilli());
        JsonNode directive = root.get("_aws").get("CloudWatchMetrics").get(0);
        assertThat(root.get("_aws").get("CloudWatchMetrics")).hasSize(1);
        assertThat(directive.get("Namespace").asText()).isEqualTo(NAMESPACE);
        assertThat(directive.get("Dimensions").toString()).isEqualTo("[[\"Cluster\",\"Family\"],[\"Cluster\"]]");
        assertThat(directive.get("Metrics").toString())
                .isEqualTo("[{\"Name\":\"MigrationsSucceeded\",\"Unit\":\"Count\"},{\"Name\":\"MigrationDuration\",\"Unit\":\"Seconds\"}]");
        assertThat(root.get("Cluster").asText()).isEqualTo("migrations");
        assertThat(root.get("Family").asText()).isEqualTo("app");
        assertThat(root.get("MigrationsSucceeded").isIntegralNumber()).isTrue();
        assertThat(root.get("MigrationsSucceeded").asLong()).isEqualTo(1);
        assertThat(root.get("MigrationDuration").asLong()).isEqualTo(280);
        assertThat(names(root)).containsExactlyInAnyOrder("_aws", "Cluster", "Family", "MigrationsSucceeded", "MigrationDuration");
    }

    /** A value that is no JSON number (NaN, an infinity) is left out, with its definition; the line stays valid. */
    @Test
    void record_whenAValueIsNotFinite_leavesItOutAndStaysValid() {
        Map<MigrationMetric, Number> values = new EnumMap<>(MigrationMetric.class);
        values.put(MigrationMetric.FAILED, 1);
        values.put(MigrationMetric.DURATION, Double.NaN);
        values.put(MigrationMetric.OLDEST_RUNNING_AGE, Double.POSITIVE_INFINITY);

        metrics().record("migrations", "app", values);
        metrics().record("migrations", "app", Map.of(MigrationMetric.DURATION, Double.NaN));

        JsonNode root = onlyLine();
        assertThat(root.has(MigrationMetric.DURATION.metricName())).isFalse();
        assertThat(root.get(MigrationMetric.FAILED.metricName()).asInt()).isEqualTo(1);
        assertThat(root.get("_aws").get("CloudWatchMetrics").get(0).get("Metrics").toString())
                .doesNotContain(MigrationMetric.DURATION.metricName(), MigrationMetric.OLDEST_RUNNING_AGE.metricName());
    }

    @Test
    void record_whenNoFamily_writesTheClusterDimensionOnly() {
        metrics().record("migrations", null, Map.of(MigrationMetric.OLDEST_RUNNING_AGE, 1500L));

        JsonNode root = onlyLine();
        JsonNode directive = root.get("_aws").get("CloudWatchMetrics").get(0);
        assertThat(directive.get("Dimensions").toString()).isEqualTo("[[\"Cluster\"]]");
        assertThat(root.has("Family")).isFalse();
        assertThat(root.get("Cluster").asText()).isEqualTo("migrations");
        assertThat(root.get("OldestRunningMigrationAge").asLong()).isEqualTo(1500);
        assertThat(directive.get("Metrics").get(0).get("Unit").asText()).isEqualTo("Seconds");
    }

    /** The names and units users build alarms on: a rename here breaks their alarms. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"STARTED, MigrationsStarted, Count", "REJECTED, MigrationsRejected, Count",
            "ALREADY_RUNNING, MigrationsAlreadyRunning, Count", "FAILED_TO_START, MigrationsFailedToStart, Count",
            "SUCCEEDED, MigrationsSucceeded, Count", "FAILED, MigrationsFailed, Count", "LOST, MigrationsLost, Count",
            "DURATION, MigrationDuration, Seconds", "LOCK_TAKEOVERS, LockTakeovers, Count",
            "OLDEST_RUNNING_AGE, OldestRunningMigrationAge, Seconds"})
    void record_whenEachMetric_writesItsNameUnitAndValue(MigrationMetric metric, String name, String unit) {
        metrics().record("migrations", "app", Map.of(metric, 7));

        JsonNode root = onlyLine();
        JsonNode definition = root.get("_aws").get("CloudWatchMetrics").get(0).get("Metrics").get(0);
        assertThat(definition.get("Name").asText()).isEqualTo(name);
        assertThat(definition.get("Unit").asText()).isEqualTo(unit);
        assertThat(root.get(name).asLong()).isEqualTo(7);
    }

    @Test
    void record_whenEveryMetricAtOnce_writesThemAllOnOneLine() {
        Map<MigrationMetric, Number> values = new EnumMap<>(MigrationMetric.class);
        for (MigrationMetric metric : MigrationMetric.values()) {
            values.put(metric, metric.ordinal());
        }

        metrics().record("migrations", "app", values);

        JsonNode root = onlyLine();
        assertThat(root.get("_aws").get("CloudWatchMetrics").get(0).get("Metrics")).hasSize(MigrationMetric.values().length);
        for (MigrationMetric metric : MigrationMetric.values()) {
            assertThat(root.get(metric.metricName()).asInt()).as(metric.metricName()).isEqualTo(metric.ordinal());
        }
    }

    @Test
    void record_whenTheSystemClock_stampsNowInWholeMilliseconds() {
        long before = System.currentTimeMillis();
        new EmfMetrics(out, Clock.systemUTC()).record("migrations", "app", Map.of(MigrationMetric.STARTED, 1));
        long after = System.currentTimeMillis();

        JsonNode timestamp = onlyLine().get("_aws").get("Timestamp");
        assertThat(timestamp.isIntegralNumber()).as("integer: %s", timestamp).isTrue();
        assertThat(timestamp.asLong()).isBetween(before, after);
    }

    @Test
    void record_whenNoValues_writesNothing() {
        metrics().record("migrations", "app", Map.of());

        assertThat(written.size()).isZero();
    }

    @Test
    void record_whenCalledThreeTimes_writesThreeLines() {
        EmfMetrics metrics = metrics();
        metrics.record("migrations", "app", Map.of(MigrationMetric.STARTED, 1));
        metrics.record("migrations", null, Map.of(MigrationMetric.OLDEST_RUNNING_AGE, 0));
        metrics.record("migrations", "api", Map.of(MigrationMetric.FAILED, 1));

        List<String> lines = lines();
        assertThat(lines).hasSize(3);
        assertThat(lines.stream().map(EmfMetricsTest::validEmf).map(root -> root.path("Family").asText("-")).toList())
                .containsExactly("app", "-", "api");
    }

    @Test
    void record_whenFractionalOrLargeValues_writesThemAsNumbers() {
        EmfMetrics metrics = metrics();
        metrics.record("migrations", "app", Map.of(MigrationMetric.DURATION, 12.5));
        metrics.record("migrations", "app", Map.of(MigrationMetric.DURATION, 0.1f));
        metrics.record("migrations", "app", Map.of(MigrationMetric.DURATION, Long.MAX_VALUE));
        metrics.record("migrations", "app", Map.of(MigrationMetric.DURATION, -3));
        metrics.record("migrations", "app", Map.of(MigrationMetric.DURATION, 1e-7));

        List<Double> values = lines().stream().map(EmfMetricsTest::validEmf).map(root -> root.get("MigrationDuration").asDouble()).toList();
        assertThat(values).hasSize(5);
        assertThat(values.get(0)).isEqualTo(12.5);
        assertThat(values.get(1)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(values.get(2)).isEqualTo((double) Long.MAX_VALUE);
        assertThat(values.get(3)).isEqualTo(-3);
        assertThat(values.get(4)).isEqualTo(1e-7);
    }

    /** Quotes, backslashes, line breaks, control characters and unicode in a dimension: escaped, on one line, read back whole. */
    @ParameterizedTest
    @ValueSource(strings = {"app\"quoted\"", "back\\slash", "line\nbreak", "carriage\rreturn", "crlf\r\n", "tab\there", "nul\u0000",
            "bell\u0007esc\u001b", "del\u007f", "line\u2028para\u2029", "caf\u00e9", "\u4e2d\u6587", "emoji \ud83d\ude00",
            "rtl \u202emirrored", "bom\ufeff", "</script><!--", "{\"_aws\":{}}", "Cluster", "_aws", "  spaced  ", "\\u0022"})
    void record_whenDimensionValuesHaveOddCharacters_writesOneValidLineThatReadsBackWhole(String odd) {
        metrics().record(odd, odd, Map.of(MigrationMetric.FAILED, 1));

        String line = lines().getFirst();
        assertThat(lines()).hasSize(1);
        JsonNode root = validEmf(line);
        assertThat(root.get("Cluster").textValue()).isEqualTo(odd);
        assertThat(root.get("Family").textValue()).isEqualTo(odd);
        assertThat(root.get("_aws").get("CloudWatchMetrics").get(0).get("Namespace").asText()).isEqualTo(NAMESPACE);
        assertThat(root.get("MigrationsFailed").asInt()).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "none", value = {"none", "''", "' '", "'\t\n'"})
    void record_whenTheClusterOrFamilyIsBlank_stillWritesANonBlankDimensionValue(String blank) {
        metrics().record(blank, blank == null ? "app" : blank, Map.of(MigrationMetric.LOST, 1));

        JsonNode root = onlyLine();
        assertThat(root.get("Cluster").textValue()).isNotBlank();
    }

    @Test
    void record_whenADimensionValueIsLongerThan1024Characters_cutsItTo1024() {
        String family = "f".repeat(5000);

        metrics().record("c".repeat(1025), family, Map.of(MigrationMetric.STARTED, 1));

        JsonNode root = onlyLine();
        assertThat(root.get("Family").textValue()).isEqualTo("f".repeat(1024));
        assertThat(root.get("Cluster").textValue()).isEqualTo("c".repeat(1024));
    }

    @Test
    void record_whenACutWouldSplitASurrogatePair_stillWritesValidJson() {
        metrics().record("migrations", "a".repeat(1023) + "\ud83d\ude00", Map.of(MigrationMetric.STARTED, 1));

        JsonNode root = onlyLine();
        assertThat(root.get("Family").textValue()).startsWith("a".repeat(1023)).hasSizeLessThanOrEqualTo(1024);
    }

    @Test
    void toStandardOutput_writesEachDocumentToSystemOut() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            EmfMetrics.toStandardOutput().record("migrations", "app", Map.of(MigrationMetric.STARTED, 1));
        } finally {
            System.setOut(original);
        }

        String text = captured.toString(StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n");
        JsonNode root = validEmf(text.strip());
        assertThat(root.get("MigrationsStarted").asInt()).isEqualTo(1);
        assertThat(root.get("_aws").get("Timestamp").asLong()).isCloseTo(System.currentTimeMillis(),
                org.assertj.core.data.Offset.offset(60_000L));
    }

    /** Generated clusters, families and values, from a fixed seed: every line is valid and reads back what was recorded. */
    @Test
    void record_whenGeneratedInput_everyLineIsValidAndReadsBack() {
        long seed = Long.getLong("emf.seed", 4242L);
        System.out.println("EmfMetricsTest generated input: seed " + seed + " (-Demf.seed=N to change)");
        Random random = new Random(seed);
        String alphabet = "abcXYZ019 -_/:.\"\\\u0000\u001f\u007f\u00e9\u4e2d\t\r\n\u2028\ud83d\ude00";
        MigrationMetric[] all = MigrationMetric.values();
        List<Object[]> expected = new ArrayList<>();
        EmfMetrics metrics = metrics();
        for (int i = 0; i < 500; i++) {
            String cluster = text(random, alphabet, 1 + random.nextInt(40));
            String family = random.nextInt(4) == 0 ? null : text(random, alphabet, 1 + random.nextInt(40));
            Map<MigrationMetric, Number> values = new LinkedHashMap<>();
            for (int n = 1 + random.nextInt(all.length); n > 0; n--) {
                MigrationMetric metric = all[random.nextInt(all.length)];
                values.put(metric, switch (random.nextInt(4)) {
                    case 0 -> random.nextInt(2);
                    case 1 -> (long) random.nextInt(Integer.MAX_VALUE);
                    case 2 -> random.nextLong();
                    default -> random.nextDouble() * 1e6;
                });
            }
            metrics.record(cluster, family, values);
            expected.add(new Object[] {cluster, family, values});
        }

        List<String> lines = lines();
        assertThat(lines).as("seed %d", seed).hasSize(expected.size());
        for (int i = 0; i < lines.size(); i++) {
            String cluster = (String) expected.get(i)[0];
            String family = (String) expected.get(i)[1];
            @SuppressWarnings("unchecked")
            Map<MigrationMetric, Number> values = (Map<MigrationMetric, Number>) expected.get(i)[2];
            JsonNode root = validEmf(lines.get(i));
            String label = "seed " + seed + ", record #" + i;
            assertThat(root.get("Cluster").textValue()).as(label).isEqualTo(cluster.isBlank() ? "unknown" : cluster);
            assertThat(root.has("Family")).as(label).isEqualTo(family != null);
            if (family != null) {
                assertThat(root.get("Family").textValue()).as(label).isEqualTo(family.isBlank() ? "unknown" : family);
            }
            JsonNode directive = root.get("_aws").get("CloudWatchMetrics").get(0);
            assertThat(directive.get("Dimensions").size()).as(label).isEqualTo(family == null ? 1 : 2);
            List<String> definedNames = new ArrayList<>();
            for (Iterator<JsonNode> it = directive.get("Metrics").elements(); it.hasNext(); ) {
                definedNames.add(it.next().get("Name").asText());
            }
            assertThat(definedNames).as(label).containsExactlyElementsOf(values.keySet().stream().map(MigrationMetric::metricName).toList());
            values.forEach((metric, value) -> {
                JsonNode written = root.get(metric.metricName());
                if (value instanceof Double d) {
                    assertThat(written.asDouble()).as(label + " " + metric).isEqualTo(d);
                } else {
                    assertThat(written.isIntegralNumber()).as(label + " " + metric).isTrue();
                    assertThat(written.asLong()).as(label + " " + metric).isEqualTo(value.longValue());
                }
            });
        }
    }

    private static String text(Random random, String alphabet, int length) {
        StringBuilder text = new StringBuilder();
        while (text.length() < length) {
            int at = random.nextInt(alphabet.length());
            char c = alphabet.charAt(at);
            if (Character.isHighSurrogate(c) && at + 1 < alphabet.length()) {
                text.append(c).append(alphabet.charAt(at + 1));
            } else if (!Character.isLowSurrogate(c)) {
                text.append(c);
            }
        }
        return text.toString();
    }
}
