package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsmigrate.contract.Completion;
import dev.ecsmigrate.contract.Contract;
import dev.ecsmigrate.contract.MigrationMetric;
import dev.ecsmigrate.contract.MigrationResult;
import dev.ecsmigrate.testing.DeployedTemplate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.event.ruler.Machine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The completion path's part of template.yaml, as CloudFormation deploys it (through the SAM translator): the
 * task-stopped rule matches our migrations' stopped tasks and nothing else (AWS's own matcher, event-ruler, on
 * task events shaped as the ECS guide shows them), the alarms watch the metrics the code emits, and the optional
 * notification turns a completion event into a valid chat message.
 */
class CompletionTemplateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TEMPLATE = Path.of("template.yaml");
    private static final Path SAMPLES = Path.of("src/test/resources/task-events");
    private static final String CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/migrations";
    private static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:migration-alarms";
    private static final Map<String, String> REQUIRED = Map.of(
            "ClusterName", "migrations",
            "AllowedFamilies", "app,api",
            "TaskRoleArns", "arn:aws:iam::123456789012:role/app-task");

    private static DeployedTemplate withTopic;
    private static DeployedTemplate withoutTopic;

    @BeforeAll
    static void deploy() {
        withTopic = deployed(Map.of("AlarmTopicArn", TOPIC));
        withoutTopic = deployed(Map.of());
    }

    private static DeployedTemplate deployed(Map<String, String> extra) {
        Map<String, String> parameters = new HashMap<>(REQUIRED);
        parameters.putAll(extra);
        return DeployedTemplate.of(TEMPLATE, parameters);
    }

    // ---- The task-stopped rule ----

    private static Machine taskStoppedRule() throws Exception {
        JsonNode rule = withTopic.resource("CompletionFunctionTaskStopped").path("Properties");
        assertThat(rule.has("EventBusName")).as("AWS service events arrive on the default bus only").isFalse();
        Machine machine = new Machine();
        machine.addRule("task-stopped", JSON.writeValueAsString(withTopic.evaluate(rule.path("EventPattern"))));
        return machine;
    }

    @ParameterizedTest
    @ValueSource(strings = {"stopped-succeeded", "stopped-exit-1", "stopped-oom-137", "stopped-failed-to-start-pull",
            "stopped-no-exit-code", "stopped-sidecar"})
    void taskStoppedRule_matchesOurStoppedMigrationTasks(String sample) throws Exception {
        assertThat(taskStoppedRule().rulesForJSONEvent(sample(sample))).containsExactly("task-stopped");
    }

    @ParameterizedTest
    @ValueSource(strings = {"service-task-stopped", "other-family-stopped", "running", "extra-deprovisioning-with-stopcode",
            "extra-spot-interruption-notice"})
    void taskStoppedRule_ignoresServiceTasksOtherFamiliesAndTasksNotStopped(String sample) throws Exception {
        assertThat(taskStoppedRule().rulesForJSONEvent(sample(sample))).isEmpty();
    }

    @Test
    void taskStoppedRule_ignoresTheRunnersOwnStatusAndCompletionEvents() throws Exception {
        Machine rule = taskStoppedRule();
        assertThat(rule.rulesForJSONEvent(envelope(Contract.STATUS_DETAIL_TYPE, "{\"status\":\"STARTED\"}"))).isEmpty();
        assertThat(rule.rulesForJSONEvent(envelope(Contract.COMPLETED_DETAIL_TYPE, completion(MigrationResult.FAILED, "x").toJson())))
                .isEmpty();
    }

    /**
     * Generated task events: every field the rule reads takes values ours and not ours, in every combination, and
     * the rule agrees with the contract's definition of "our migration task stopped".
     */
    @Test
    void taskStoppedRule_onGeneratedEvents_matchesExactlyOurStoppedMigrations() throws Exception {
        long seed = Long.getLong("completion.seed", System.nanoTime());
        Random random = new Random(seed);
        Machine rule = taskStoppedRule();
        List<String> sources = List.of("aws.ecs", "ecs.migration", "aws.events");
        List<String> detailTypes = List.of("ECS Task State Change", "ECS Container Instance State Change", Contract.COMPLETED_DETAIL_TYPE);
        List<String> statuses = List.of("STOPPED", "RUNNING", "PENDING", "DEPROVISIONING", "STOPPING", "stopped");
        List<String> clusters = List.of(CLUSTER_ARN, "arn:aws:ecs:us-east-1:123456789012:cluster/migrations-staging",
                "arn:aws:ecs:us-east-1:210987654321:cluster/migrations", "migrations");
        List<String> groups = List.of("migration:app", "migration:api", "migration:billing", "service:web", "migration:", "app",
                "migration:app-v2", "family:app");
        JsonNode base = JSON.readTree(sample("stopped-succeeded"));
        int matched = 0;
        for (int i = 0; i < 1500; i++) {
            ObjectNode event = base.deepCopy();
            String source = pick(random, sources);
            String detailType = pick(random, detailTypes);
            String status = pick(random, statuses);
            String cluster = pick(random, clusters);
            String group = pick(random, groups);
            event.put("source", source).put("detail-type", detailType);
            ((ObjectNode) event.path("detail")).put("lastStatus", status).put("clusterArn", cluster).put("group", group);
            boolean ours = source.equals("aws.ecs") && detailType.equals("ECS Task State Change") && status.equals("STOPPED")
                    && cluster.equals(CLUSTER_ARN) && (group.equals("migration:app") || group.equals("migration:api"));
            List<String> rules = rule.rulesForJSONEvent(JSON.writeValueAsString(event));
            assertThat(!rules.isEmpty()).as("seed " + seed + ", case " + i + ": " + source + " / " + detailType + " / " + status
                    + " / " + cluster + " / " + group).isEqualTo(ours);
            matched += ours ? 1 : 0;
        }
        assertThat(matched).as("seed " + seed + ": the generator must produce matching events too").isPositive();
    }

    @Test
    void sweep_runsEveryFiveMinutes_andATriggerEventNeverReachesTheCompletionFunction() throws Exception {
        JsonNode sweep = withTopic.resource("CompletionFunctionSweep").path("Properties");
        assertThat(sweep.path("ScheduleExpression").asText()).isEqualTo("rate(5 minutes)");
        assertThat(taskStoppedRule().rulesForJSONEvent(new String(dev.ecsmigrate.testing.Fixtures.event("migration.json"),
                java.nio.charset.StandardCharsets.UTF_8))).isEmpty();
    }

    // ---- Dead letters ----

    /** Every rule that sends failed deliveries to the dead-letter queue is allowed to, by the queue's policy. */
    @Test
    void deadLetterQueuePolicy_admitsEveryRuleThatDeadLettersToIt() {
        for (DeployedTemplate template : List.of(withTopic, withoutTopic)) {
            Set<String> dead = new TreeSet<>();
            template.resources().forEachEntry((id, resource) -> {
                if (resource.path("Type").asText().equals("AWS::Events::Rule") && exists(template, resource)) {
                    for (JsonNode target : resource.path("Properties").path("Targets")) {
                        if (template.evaluate(target.path("DeadLetterConfig").path("Arn")).asText().equals("DeadLetterQueue.Arn")) {
                            dead.add(id + ".Arn");
                        }
                    }
                }
            });
            JsonNode statements = template.evaluate(template.resource("DeadLetterQueuePolicy").path("Properties")
                    .path("PolicyDocument").path("Statement"));
            List<String> admitted = DeployedTemplate.strings(statements.path(0).path("Condition").path("ArnEquals").path("aws:SourceArn"));
            assertThat(dead).isNotEmpty();
            assertThat(admitted).containsExactlyInAnyOrderElementsOf(dead);
        }
    }

    // ---- Alarms ----

    @Test
    void alarms_watchTheDeadLetterQueueFailuresLongMigrationsAndFunctionErrors_andNotifyTheTopicWhenGiven() {
        List<String> alarms = List.of("DeadLetterQueueAlarm", "MigrationFailedAlarm", "LongMigrationAlarm", "FunctionErrorsAlarm");
        for (String id : alarms) {
            JsonNode with = withTopic.evaluate(withTopic.resource(id).path("Properties"));
            JsonNode without = withoutTopic.evaluate(withoutTopic.resource(id).path("Properties"));
            assertThat(DeployedTemplate.strings(with.path("AlarmActions"))).as(id + " with a topic").containsExactly(TOPIC);
            assertThat(without.has("AlarmActions")).as(id + " without a topic").isFalse();
            assertThat(with.path("TreatMissingData").asText()).as(id + ": no data is no migration, not a failure").isEqualTo("notBreaching");
        }
        JsonNode dlq = withTopic.evaluate(withTopic.resource("DeadLetterQueueAlarm").path("Properties"));
        assertThat(dlq.path("Dimensions").path(0).path("Value").asText()).isEqualTo("DeadLetterQueue.QueueName");
        assertThat(dlq.path("ComparisonOperator").asText()).isEqualTo("GreaterThanThreshold");
        assertThat(dlq.path("Threshold").asInt()).isZero();

        JsonNode errors = withTopic.evaluate(withTopic.resource("FunctionErrorsAlarm").path("Properties"));
        List<String> functions = new ArrayList<>();
        withTopic.resources().forEachEntry((id, resource) -> {
            if (resource.path("Type").asText().equals("AWS::Lambda::Function")) {
                functions.add(id);
            }
        });
        List<String> watched = new ArrayList<>();
        for (JsonNode query : errors.path("Metrics")) {
            JsonNode metric = query.path("MetricStat").path("Metric");
            if (!metric.isMissingNode()) {
                assertThat(metric.path("MetricName").asText()).isEqualTo("Errors");
                watched.add(metric.path("Dimensions").path(0).path("Value").asText());
            }
        }
        assertThat(watched).as("every function of the stack").containsExactlyInAnyOrderElementsOf(functions);
    }

    /** The failure alarm adds up exactly the metrics the code emits for a migration that did not succeed. */
    @Test
    void migrationFailedAlarm_countsFailedNotStartedAndLostMigrationsOfTheCluster() {
        JsonNode alarm = withTopic.evaluate(withTopic.resource("MigrationFailedAlarm").path("Properties"));
        Set<String> names = new TreeSet<>();
        String expression = null;
        for (JsonNode query : alarm.path("Metrics")) {
            if (query.has("Expression")) {
                expression = query.path("Expression").asText();
                assertThat(query.path("ReturnData").asBoolean()).isTrue();
                continue;
            }
            JsonNode metric = query.path("MetricStat").path("Metric");
            assertThat(metric.path("Namespace").asText()).isEqualTo(Contract.METRIC_NAMESPACE);
            assertThat(metric.path("Dimensions").toString()).isEqualTo("[{\"Name\":\"Cluster\",\"Value\":\"migrations\"}]");
            assertThat(query.path("MetricStat").path("Stat").asText()).isEqualTo("Sum");
            names.add(metric.path("MetricName").asText());
            assertThat(query.path("ReturnData").asBoolean()).isFalse();
        }
        assertThat(names).containsExactlyInAnyOrder(MigrationMetric.FAILED.metricName(), MigrationMetric.FAILED_TO_START.metricName(),
                MigrationMetric.LOST.metricName());
        assertThat(expression).isNotNull();
        for (JsonNode query : alarm.path("Metrics")) {
            if (!query.has("Expression")) {
                assertThat(expression).as("the expression fills each missing metric with 0")
                        .contains("FILL(" + query.path("Id").asText() + ", 0)");
            }
        }
        assertThat(alarm.path("Threshold").asInt()).isEqualTo(1);
        assertThat(alarm.path("ComparisonOperator").asText()).isEqualTo("GreaterThanOrEqualToThreshold");
    }

    @Test
    void longMigrationAlarm_firesOnTheOldestRunningMigrationPastTheParameter() {
        DeployedTemplate tight = deployed(Map.of("LongMigrationSeconds", "900"));
        JsonNode alarm = tight.evaluate(tight.resource("LongMigrationAlarm").path("Properties"));
        assertThat(alarm.path("MetricName").asText()).isEqualTo(MigrationMetric.OLDEST_RUNNING_AGE.metricName());
        assertThat(alarm.path("Namespace").asText()).isEqualTo(Contract.METRIC_NAMESPACE);
        assertThat(alarm.path("Statistic").asText()).isEqualTo("Maximum");
        assertThat(alarm.path("Threshold").asText()).isEqualTo("900");
        assertThat(alarm.path("Period").asInt()).as("the sweep measures every five minutes").isEqualTo(300);
    }

    // ---- The optional notification ----

    @Test
    void notificationRule_existsOnlyWithATopic_andSendsFailuresByDefault() throws Exception {
        assertThat(withoutTopic.condition("NotifiesCompletions")).isFalse();
        assertThat(withTopic.condition("NotifiesCompletions")).isTrue();
        assertThat(deployed(Map.of("AlarmTopicArn", TOPIC, "CompletionNotifications", "none")).condition("NotifiesCompletions")).isFalse();

        Machine failures = notificationRule(withTopic);
        Machine every = notificationRule(deployed(Map.of("AlarmTopicArn", TOPIC, "CompletionNotifications", "all")));
        for (MigrationResult result : MigrationResult.values()) {
            String event = envelope(Contract.COMPLETED_DETAIL_TYPE, completion(result, "why").toJson());
            assertThat(failures.rulesForJSONEvent(event)).as(result.word()).hasSize(result == MigrationResult.SUCCEEDED ? 0 : 1);
            assertThat(every.rulesForJSONEvent(event)).as(result.word()).hasSize(1);
        }
        String otherCluster = envelope(Contract.COMPLETED_DETAIL_TYPE, completion(MigrationResult.FAILED, "why").toJson()
                .replace("\"cluster\":\"migrations\"", "\"cluster\":\"other\""));
        assertThat(failures.rulesForJSONEvent(otherCluster)).isEmpty();
        assertThat(failures.rulesForJSONEvent(envelope(Contract.STATUS_DETAIL_TYPE, "{\"status\":\"FAILED\",\"result\":\"failed\"}")))
                .isEmpty();
    }

    /**
     * The message is the custom notification format of Amazon Q Developer in chat applications, and stays valid
     * JSON whatever the reason holds: the input transformer is applied here as EventBridge documents it (a
     * placeholder inside quotes is replaced by the raw text, a bare one by the value as JSON).
     */
    @Test
    void notification_isAValidChatMessage_whateverTheReasonHolds() throws Exception {
        JsonNode target = withTopic.evaluate(withTopic.resource("CompletionNotificationRule").path("Properties")).path("Targets").path(0);
        assertThat(target.path("Arn").asText()).isEqualTo(TOPIC);
        JsonNode transformer = target.path("InputTransformer");
        List<String> reasons = List.of("container app exited 1; stop code EssentialContainerExited: Essential container in task exited",
                "he said \"no\"\nthen left\\ \t", "ünïcödé ✓ <b>markup</b> {\"json\": [1]}", "x");
        for (String reason : reasons) {
            JsonNode event = JSON.readTree(envelope(Contract.COMPLETED_DETAIL_TYPE, completion(MigrationResult.FAILED, reason).toJson()));
            String message = transform(transformer, event);
            JsonNode chat = JSON.readTree(message);
            assertThat(chat.path("version").asText()).isEqualTo("1.0");
            assertThat(chat.path("source").asText()).isEqualTo("custom");
            assertThat(chat.path("content").path("textType").asText()).isEqualTo("client-markdown");
            assertThat(chat.path("content").path("title").asText()).isEqualTo("Migration failed: gh-42-1 on migrations");
            assertThat(chat.path("content").path("description").asText()).isEqualTo(event.path("detail").path("reason").asText());
        }
    }

    /** EventBridge's input transformer: quoted placeholders get the raw text, bare ones the JSON value. */
    private static String transform(JsonNode transformer, JsonNode event) throws Exception {
        Map<String, JsonNode> values = new HashMap<>();
        transformer.path("InputPathsMap").forEachEntry((name, path) -> {
            JsonNode value = event;
            for (String part : path.asText().substring(2).split("\\.")) {
                value = value.path(part);
            }
            values.put(name, value);
        });
        String template = transformer.path("InputTemplate").asText().strip();
        Matcher placeholder = Pattern.compile("<([A-Za-z0-9_-]+)>").matcher(template);
        StringBuilder out = new StringBuilder();
        while (placeholder.find()) {
            JsonNode value = values.get(placeholder.group(1));
            assertThat(value).as("placeholder " + placeholder.group() + " is in InputPathsMap").isNotNull();
            boolean quoted = countQuotesBefore(template, placeholder.start()) % 2 == 1;
            String replacement = quoted ? value.asText() : JSON.writeValueAsString(value);
            placeholder.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        return placeholder.appendTail(out).toString();
    }

    private static int countQuotesBefore(String text, int end) {
        int quotes = 0;
        for (int i = 0; i < end; i++) {
            if (text.charAt(i) == '"' && (i == 0 || text.charAt(i - 1) != '\\')) {
                quotes++;
            }
        }
        return quotes;
    }

    private static Machine notificationRule(DeployedTemplate template) throws Exception {
        JsonNode rule = template.evaluate(template.resource("CompletionNotificationRule").path("Properties"));
        assertThat(rule.path("EventBusName").asText()).as("the status bus, where completion events go").isEqualTo("default");
        Machine machine = new Machine();
        machine.addRule("notify", JSON.writeValueAsString(rule.path("EventPattern")));
        return machine;
    }

    // ---- Helpers ----

    private static boolean exists(DeployedTemplate template, JsonNode resource) {
        return !resource.has("Condition") || template.condition(resource.path("Condition").asText());
    }

    private static Completion completion(MigrationResult result, String reason) {
        Integer exit = switch (result) {
            case SUCCEEDED -> 0;
            case FAILED -> 1;
            case NOT_STARTED -> null;
        };
        return new Completion(result, exit, "EssentialContainerExited", reason, "app", "gh-42-1",
                "arn:aws:ecs:us-east-1:123456789012:task/migrations/0123456789abcdef0123456789abcdef",
                "arn:aws:ecs:us-east-1:123456789012:task-definition/app:42", "migrations",
                Instant.parse("2026-11-22T17:00:00Z"), Instant.parse("2026-11-22T17:01:30Z"));
    }

    private static String envelope(String detailType, String detail) {
        return """
                {"version":"0","id":"0d1f9b1e-0000-4000-8000-000000000001","detail-type":"%s","source":"ecs.migration",\
                "account":"123456789012","time":"2026-11-22T17:01:31Z","region":"us-east-1","resources":[],"detail":%s}"""
                .formatted(detailType, detail);
    }

    private static String sample(String name) {
        try {
            return Files.readString(SAMPLES.resolve(name + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
