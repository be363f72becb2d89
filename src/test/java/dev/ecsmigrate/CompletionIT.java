package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsmigrate.contract.Contract;
import dev.ecsmigrate.contract.MigrationMetric;
import dev.ecsmigrate.local.LocalContext;
import dev.ecsmigrate.metrics.Metrics;
import dev.ecsmigrate.testing.MotoWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The completion path over the wire: the real handler and SDK against moto_server, with ECS task events shaped as
 * the ECS guide shows them (src/test/resources/task-events), each rewritten to name a task the trigger really
 * started. The completion event is read back from the bus through a rule and an SQS queue.
 */
class CompletionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/" + MotoWorld.CLUSTER;

    private MotoWorld world;
    private String completions;
    private final List<String> metrics = new ArrayList<>();
    private final Metrics recorder = (cluster, family, values) -> values.forEach((metric, value) ->
            metrics.add(metric.metricName() + "=" + value + " " + cluster + "/" + family));

    @BeforeEach
    void setUp() {
        world = new MotoWorld();
        completions = world.queueFor("completions", "{\"source\":[\"ecs.migration\"],\"detail-type\":[\"" + Contract.COMPLETED_DETAIL_TYPE + "\"]}");
    }

    @AfterEach
    void tearDown() {
        world.close();
    }

    @Test
    void stoppedTaskEvent_recordsTheVerdict_releasesTheLock_andPublishesEveryContractField() throws Exception {
        String taskArn = start("gh-301-1");

        JsonNode outcome = complete(stopped("stopped-exit-1", taskArn, "gh-301-1", 6));

        assertThat(outcome.path("outcome").asText()).isEqualTo("completed");
        JsonNode detail = onlyCompletion();
        assertThat(detail.path("result").asText()).isEqualTo("failed");
        assertThat(detail.path("exit_code").asInt()).isEqualTo(1);
        assertThat(detail.path("stop_code").asText()).isEqualTo("EssentialContainerExited");
        assertThat(detail.path("reason").asText()).contains("container app exited 1");
        assertThat(detail.path("container").asText()).isEqualTo("app");
        assertThat(detail.path("correlation_id").asText()).isEqualTo("gh-301-1");
        assertThat(detail.path("task_arn").asText()).isEqualTo(taskArn);
        assertThat(detail.path("task_definition").asText()).isEqualTo(world.taskDefinitionArn);
        assertThat(detail.path("cluster").asText()).isEqualTo(MotoWorld.CLUSTER);
        assertThat(Instant.parse(detail.path("started_at").asText())).isBefore(Instant.parse(detail.path("stopped_at").asText()));
        assertThat(detail.path("duration_seconds").asLong()).isPositive();

        Map<String, AttributeValue> record = world.table.record("gh-301-1");
        Map<String, AttributeValue> verdict = record.get("verdict").m();
        assertThat(verdict.get("result").s()).isEqualTo("failed");
        assertThat(verdict.get("exit_code").n()).isEqualTo("1");
        assertThat(verdict.get("stop_code").s()).isEqualTo("EssentialContainerExited");
        assertThat(verdict.get("container").s()).isEqualTo("app");
        assertThat(verdict.get("reason").s()).isEqualTo(detail.path("reason").asText());
        assertThat(verdict.get("stopped_at").s()).isEqualTo(detail.path("stopped_at").asText());
        assertThat(record.get("published").bool()).isTrue();
        assertThat(record).doesNotContainKey("awaiting");
        assertThat(world.table.lock(MotoWorld.FAMILY)).as("the family's lock").isEmpty();
        assertThat(metrics).contains("MigrationsFailed=1 migrations/app")
                .anyMatch(m -> m.startsWith("MigrationDuration=") && m.endsWith(" migrations/app"));
    }

    /** Each real-shaped sample, over the wire: its result in the record and in the event, and the lock released. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
            "stopped-succeeded, succeeded, 0", "stopped-exit-1, failed, 1", "stopped-oom-137, failed, 137",
            "stopped-failed-to-start-pull, not_started, ", "stopped-no-exit-code, not_started, ", "stopped-sidecar, succeeded, 0"})
    void eachSample_endsAsItsVerdictInTheRecordAndTheEvent(String sample, String result, Integer exitCode) throws Exception {
        String correlationId = "gh-" + Math.abs(sample.hashCode() % 100000) + "-1";
        String taskArn = start(correlationId);

        complete(stopped(sample, taskArn, correlationId, 6));

        JsonNode detail = onlyCompletion();
        assertThat(detail.path("result").asText()).isEqualTo(result);
        assertThat(detail.path("container").asText()).as("the migration container, never the sidecar").isEqualTo("app");
        if (exitCode == null) {
            assertThat(detail.has("exit_code")).isFalse();
        } else {
            assertThat(detail.path("exit_code").asInt()).isEqualTo(exitCode);
        }
        assertThat(world.table.record(correlationId).get("verdict").m().get("result").s()).isEqualTo(result);
        assertThat(world.table.lock(MotoWorld.FAMILY)).isEmpty();
    }

    @Test
    void succeededAndNotStartedTasks_getTheirOwnResults() throws Exception {
        String succeeded = start("gh-302-1");
        complete(stopped("stopped-succeeded", succeeded, "gh-302-1", 6));
        String pull = start("gh-303-1");
        complete(stopped("stopped-failed-to-start-pull", pull, "gh-303-1", 5));

        List<JsonNode> published = completions(2);
        assertThat(published).extracting(d -> d.path("correlation_id").asText() + ":" + d.path("result").asText())
                .containsExactlyInAnyOrder("gh-302-1:succeeded", "gh-303-1:not_started");
        JsonNode notStarted = published.stream().filter(d -> d.path("result").asText().equals("not_started")).findFirst().orElseThrow();
        assertThat(notStarted.has("exit_code")).isFalse();
        assertThat(notStarted.path("reason").asText()).contains("CannotPullContainerError");
        assertThat(metrics).contains("MigrationsSucceeded=1 migrations/app", "MigrationsFailedToStart=1 migrations/app");
    }

    /** ECS delivers at least once, late or out of order: the first verdict stands and goes out once. */
    @Test
    void repeatedAndOlderEvents_leaveOneVerdictAndOneCompletionEvent() throws Exception {
        String taskArn = start("gh-304-1");
        byte[] failure = stopped("stopped-exit-1", taskArn, "gh-304-1", 6);

        complete(failure);
        JsonNode again = complete(failure);
        JsonNode older = complete(stopped("stopped-succeeded", taskArn, "gh-304-1", 5));

        assertThat(again.path("outcome").asText()).isEqualTo("ignored");
        assertThat(older.path("outcome").asText()).isEqualTo("ignored");
        assertThat(onlyCompletion().path("result").asText()).isEqualTo("failed");
        assertThat(world.table.record("gh-304-1").get("verdict").m().get("result").s()).isEqualTo("failed");
    }

    /** A late event for a finished run never frees the lock that the next run holds. */
    @Test
    void lateEventOfAnEarlierRun_neverReleasesTheNextRunsLock() throws Exception {
        String first = start("gh-305-1");
        byte[] firstStopped = stopped("stopped-succeeded", first, "gh-305-1", 6);
        complete(firstStopped);
        world.ecs.stopTask(r -> r.cluster(MotoWorld.CLUSTER).task(first).reason("done"));
        String second = start("gh-306-1");

        JsonNode late = complete(firstStopped);

        assertThat(late.path("outcome").asText()).isEqualTo("ignored");
        assertThat(world.table.lock(MotoWorld.FAMILY).get("holder").s()).isEqualTo("gh-306-1");
        assertThat(world.table.lock(MotoWorld.FAMILY).get("task_arn").s()).isEqualTo(second);
        assertThat(world.table.record("gh-306-1")).doesNotContainKey("verdict");
    }

    /** The event never came: the sweep finds the stopped task by DescribeTasks and completes the run the same way. */
    @Test
    void lostEvent_isCompletedByTheSweep() throws Exception {
        String running = start("gh-307-1");
        world.ecs.stopTask(r -> r.cluster(MotoWorld.CLUSTER).task(running).reason("Stopped by the test"));

        JsonNode sweep = invoke(Handlers.completion(world.runnerEnvironment(), recorder), scheduled());

        assertThat(sweep.path("outcome").asText()).isEqualTo("swept");
        assertThat(sweep.path("completed").asInt()).isEqualTo(1);
        JsonNode detail = onlyCompletion();
        assertThat(detail.path("correlation_id").asText()).isEqualTo("gh-307-1");
        assertThat(detail.path("task_arn").asText()).isEqualTo(running);
        // moto reports exit code 0 for the containers of a task it stops.
        assertThat(detail.path("result").asText()).isEqualTo("succeeded");
        assertThat(detail.path("exit_code").asInt()).isZero();
        assertThat(world.table.record("gh-307-1").get("verdict").m().get("result").s()).isEqualTo("succeeded");
        assertThat(world.table.lock(MotoWorld.FAMILY)).isEmpty();

        JsonNode second = invoke(Handlers.completion(world.runnerEnvironment(), recorder), scheduled());
        assertThat(second.path("awaiting").asInt()).as("a judged run leaves the index").isZero();
        assertThat(completions(1)).as("no second completion event").isEmpty();
    }

    /**
     * The verdict was recorded, but its event could not be published (here: a status bus that does not exist). The
     * run stays on the awaiting index, and the next sweep publishes that same verdict, once.
     */
    @Test
    void verdictWhosePublishFailed_isPublishedByTheNextSweep() throws Exception {
        String taskArn = start("gh-311-1");
        Map<String, String> broken = world.runnerEnvironment();
        broken.put("STATUS_EVENT_BUS", "gone");

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> invoke(Handlers.completion(broken, recorder),
                stopped("stopped-exit-1", taskArn, "gh-311-1", 6)));

        assertThat(thrown).as("the publish fails, for Lambda to retry").isNotNull();
        assertThat(world.table.record("gh-311-1").get("verdict").m().get("result").s()).isEqualTo("failed");
        assertThat(world.table.record("gh-311-1").get("published").bool()).isFalse();
        assertThat(world.table.record("gh-311-1")).containsKey("awaiting");

        JsonNode sweep = invoke(Handlers.completion(world.runnerEnvironment(), recorder), scheduled());

        assertThat(sweep.path("completed").asInt()).isEqualTo(1);
        assertThat(onlyCompletion().path("result").asText()).isEqualTo("failed");
        assertThat(world.table.record("gh-311-1").get("published").bool()).isTrue();
        assertThat(world.table.record("gh-311-1")).doesNotContainKey("awaiting");
        assertThat(metrics.stream().filter(m -> m.startsWith("MigrationsFailed=")).count()).as("counted once").isEqualTo(1);
    }

    @Test
    void sweep_measuresTheOldestRunningMigration_andLeavesItAlone() throws Exception {
        start("gh-308-1");
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(30));

        JsonNode sweep = invoke(Handlers.completion(world.runnerEnvironment(), recorder, later), scheduled());

        assertThat(sweep.path("running").asInt()).isEqualTo(1);
        assertThat(sweep.path("oldest_running_seconds").asLong()).isBetween(29 * 60L, 31 * 60L);
        assertThat(metrics).anyMatch(m -> m.startsWith(MigrationMetric.OLDEST_RUNNING_AGE.metricName() + "=") && m.endsWith("migrations/null"));
        assertThat(world.table.record("gh-308-1")).doesNotContainKey("verdict");
        assertThat(world.table.lock(MotoWorld.FAMILY)).isNotEmpty();
    }

    /**
     * ECS forgets a stopped task after a while. A run whose task ECS no longer knows, past the lock's grace, is
     * recorded as lost (its outcome cannot be told), its lock freed, and counted, so that the failure alarm fires.
     */
    @Test
    void runWhoseTaskEcsForgot_isRecordedLost_andItsLockFreed() throws Exception {
        String real = start("gh-309-1");
        String forgotten = real.substring(0, real.lastIndexOf('/') + 1) + "00000000000000000000000000000000";
        forgetTask("gh-309-1", forgotten);
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));

        JsonNode sweep = invoke(Handlers.completion(world.runnerEnvironment(), recorder, later), scheduled());

        assertThat(sweep.path("lost").asInt()).isEqualTo(1);
        Map<String, AttributeValue> verdict = world.table.record("gh-309-1").get("verdict").m();
        assertThat(verdict.get("result").s()).isEqualTo("unknown");
        assertThat(verdict.get("reason").s()).contains(forgotten, "gh-309-1");
        assertThat(world.table.lock(MotoWorld.FAMILY)).isEmpty();
        assertThat(metrics).contains("MigrationsLost=1 migrations/app");
        // A task event that arrives after all does not overwrite what the record says.
        JsonNode late = complete(stopped("stopped-succeeded", forgotten, "gh-309-1", 6));
        assertThat(late.path("outcome").asText()).isEqualTo("ignored");
    }

    @Test
    void tasksThatAreNotOurs_areIgnoredWithoutAWrite() throws Exception {
        String taskArn = start("gh-310-1");

        List<String> outcomes = new ArrayList<>();
        outcomes.add(complete(stopped("service-task-stopped", taskArn, "ecs-svc/123", 7)).path("outcome").asText());
        outcomes.add(complete(stopped("other-family-stopped", taskArn, "gh-310-1", 6)).path("outcome").asText());
        outcomes.add(complete(stopped("running", taskArn, "gh-310-1", 3)).path("outcome").asText());
        outcomes.add(complete(stopped("stopped-succeeded", taskArn, "gh-999-1", 6)).path("outcome").asText());
        outcomes.add(complete("{\"not\":\"an ECS event\"}".getBytes()).path("outcome").asText());

        assertThat(outcomes).containsOnly("ignored");
        assertThat(world.table.record("gh-310-1")).doesNotContainKey("verdict");
        assertThat(world.table.lock(MotoWorld.FAMILY)).isNotEmpty();
        assertThat(world.sqs.receiveMessage(r -> r.queueUrl(completions).waitTimeSeconds(1)).messages()).isEmpty();
    }

    // ---- Helpers ----

    /** Starts a migration through the trigger, as in production, and returns its task. */
    private String start(String correlationId) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Handlers.trigger(world.runnerEnvironment()).handleRequest(new ByteArrayInputStream(
                MotoWorld.trigger("evt-" + correlationId, world.taskDefinitionArn, correlationId)), out, new LocalContext(line -> { }));
        JsonNode status = JSON.readTree(out.toByteArray());
        assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("STARTED");
        return status.path("task_arn").asText();
    }

    private JsonNode complete(byte[] event) throws Exception {
        return invoke(Handlers.completion(world.runnerEnvironment(), recorder), event);
    }

    private static JsonNode invoke(CompletionHandler handler, byte[] event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, new LocalContext(line -> { }));
        return JSON.readTree(out.toByteArray());
    }

    /** A sample task event, rewritten to name this test's task, run and task definition. */
    private byte[] stopped(String sample, String taskArn, String startedBy, int version) throws Exception {
        ObjectNode event = (ObjectNode) JSON.readTree(Files.readAllBytes(Path.of("src/test/resources/task-events", sample + ".json")));
        ObjectNode detail = (ObjectNode) event.path("detail");
        Instant stoppedAt = Instant.now().minusSeconds(5);
        detail.put("taskArn", taskArn).put("startedBy", startedBy).put("version", version);
        if (detail.path("group").asText().startsWith(Contract.TASK_GROUP_PREFIX)) {
            detail.put("clusterArn", CLUSTER_ARN);
            if (detail.path("group").asText().equals("migration:app")) {
                detail.put("taskDefinitionArn", world.taskDefinitionArn);
            }
        }
        detail.put("createdAt", stoppedAt.minusSeconds(95).toString()).put("startedAt", stoppedAt.minusSeconds(90).toString());
        if (detail.has("stoppedAt")) {
            detail.put("stoppedAt", stoppedAt.toString());
        }
        detail.path("containers").forEach(container -> ((ObjectNode) container).put("taskArn", taskArn));
        return JSON.writeValueAsBytes(event);
    }

    private static byte[] scheduled() {
        return ("{\"version\":\"0\",\"id\":\"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa\",\"detail-type\":\"Scheduled Event\","
                + "\"source\":\"aws.events\",\"account\":\"123456789012\",\"time\":\"" + Instant.now().atOffset(ZoneOffset.UTC)
                + "\",\"region\":\"us-east-1\",\"resources\":[\"arn:aws:events:us-east-1:123456789012:rule/sweep\"],\"detail\":{}}")
                .getBytes();
    }

    /** Points the run and its lock at a task ECS does not know, as ECS forgets stopped tasks after about an hour. */
    private void forgetTask(String correlationId, String taskArn) {
        for (String key : List.of(correlationId, "lock#" + MotoWorld.CLUSTER + "#" + MotoWorld.FAMILY)) {
            world.table.client().updateItem(u -> u.tableName("migrations").key(Map.of("id", AttributeValue.fromS(key)))
                    .updateExpression("SET task_arn = :task").expressionAttributeValues(Map.of(":task", AttributeValue.fromS(taskArn))));
        }
    }

    private JsonNode onlyCompletion() throws Exception {
        List<JsonNode> published = completions(1);
        assertThat(published).hasSize(1);
        assertThat(world.sqs.receiveMessage(r -> r.queueUrl(completions).waitTimeSeconds(1)).messages())
                .as("a second completion event").isEmpty();
        return published.getFirst();
    }

    /** Up to this many completion events' details, read off the queue. */
    private List<JsonNode> completions(int expected) throws Exception {
        List<JsonNode> details = new ArrayList<>();
        for (String body : world.received(completions, expected)) {
            JsonNode envelope = JSON.readTree(body);
            assertThat(envelope.path("source").asText()).isEqualTo(Contract.SOURCE);
            assertThat(envelope.path("detail-type").asText()).isEqualTo(Contract.COMPLETED_DETAIL_TYPE);
            details.add(envelope.path("detail"));
        }
        return details;
    }
}
