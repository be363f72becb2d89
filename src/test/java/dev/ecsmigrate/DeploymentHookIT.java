package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.ecsmigrate.contract.Contract;
import dev.ecsmigrate.hook.DeploymentHook;
import dev.ecsmigrate.local.LocalContext;
import dev.ecsmigrate.metrics.Metrics;
import dev.ecsmigrate.testing.MotoWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ecs.model.Task;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.ecsmigrate.testing.ScriptedAws.ecs;
import static dev.ecsmigrate.testing.ScriptedAws.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment hook over the wire: the real handler and SDK, moto_server for ECS tasks, DynamoDB, EventBridge
 * and SQS, and a scripted endpoint in front of moto's ECS for DescribeServiceRevisions, which moto lacks (every
 * other ECS call passes through to moto). Calls are shaped exactly as the ECS developer guide documents them.
 */
class DeploymentHookIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/" + MotoWorld.CLUSTER;
    private static final String SERVICE_ARN = "arn:aws:ecs:us-east-1:123456789012:service/migrations/web";
    private static final String REVISION = "arn:aws:ecs:us-east-1:123456789012:service-revision/migrations/web/9313423515462893900";

    private MotoWorld world;
    private WireMockServer revisions;
    private String completions;
    private final List<String> metrics = new ArrayList<>();
    private final Metrics recorder = (cluster, family, values) -> values.forEach((metric, value) -> metrics.add(metric.metricName() + "=" + value));

    @BeforeEach
    void setUp() {
        world = new MotoWorld();
        revisions = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        revisions.start();
        // Everything but DescribeServiceRevisions goes on to moto.
        revisions.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(world.moto.endpoint().toString())));
        serveRevision(REVISION, world.taskDefinitionArn, CLUSTER_ARN);
        completions = world.queueFor("completions", "{\"source\":[\"ecs.migration\"],\"detail-type\":[\"" + Contract.COMPLETED_DETAIL_TYPE + "\"]}");
    }

    @AfterEach
    void tearDown() {
        revisions.stop();
        world.close();
    }

    @Test
    void firstCall_startsTheTargetRevisionsMigrationInItsNetwork_andAnswersInProgress() throws Exception {
        JsonNode answer = call(hook(), "dep-first-1");

        assertThat(answer.path("hookStatus").asText()).isEqualTo("IN_PROGRESS");
        assertThat(answer.path("callBackDelay").asInt()).isEqualTo(30);
        String correlationId = DeploymentHook.correlationId(deployment("dep-first-1"));
        assertThat(answer.path("hookDetails").path("correlation_id").asText()).isEqualTo(correlationId);
        List<String> tasks = world.tasksStartedBy(correlationId);
        assertThat(tasks).hasSize(1);
        Task task = world.ecs.describeTasks(r -> r.cluster(MotoWorld.CLUSTER).tasks(tasks)).tasks().getFirst();
        assertThat(task.taskDefinitionArn()).isEqualTo(world.taskDefinitionArn);
        assertThat(task.group()).isEqualTo("migration:app");
        assertThat(task.attachments().getFirst().details()).anySatisfy(d -> assertThat(d.value()).isEqualTo(world.subnet));
        Map<String, AttributeValue> record = world.table.record(correlationId);
        assertThat(record.get("status").s()).isEqualTo("STARTED");
        assertThat(record.get("task_arn").s()).isEqualTo(tasks.getFirst());
        assertThat(metrics).contains("MigrationsStarted=1");
    }

    /** However often ECS calls, and even twice at once at the start, one deployment starts one task. */
    @Test
    void repeatedAndSimultaneousCalls_startOneTask() throws Exception {
        DeploymentHookHandler hook = hook();
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                    return call(hook, "dep-twice-1");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        go.countDown();
        for (CompletableFuture<JsonNode> answer : calls) {
            assertThat(answer.join().path("hookStatus").asText()).isEqualTo("IN_PROGRESS");
        }
        for (int i = 0; i < 3; i++) {
            assertThat(call(hook, "dep-twice-1").path("hookStatus").asText()).isEqualTo("IN_PROGRESS");
        }
        assertThat(world.tasksStartedBy(DeploymentHook.correlationId(deployment("dep-twice-1")))).hasSize(1);
        assertThat(world.ecs.listTasks(r -> r.cluster(MotoWorld.CLUSTER)).taskArns()).hasSize(1);
    }

    @Test
    void migrationThatSucceeds_answersSucceeded_withARecordAndACompletionEvent() throws Exception {
        DeploymentHookHandler hook = hook();
        String taskArn = call(hook, "dep-ok-1").path("hookDetails").path("task_arn").asText();
        assertThat(call(hook, "dep-ok-1").path("hookStatus").asText()).isEqualTo("IN_PROGRESS");
        // moto stops the task with exit code 0 for its containers.
        world.ecs.stopTask(r -> r.cluster(MotoWorld.CLUSTER).task(taskArn).reason("done"));

        JsonNode answer = call(hook, "dep-ok-1");

        assertThat(answer.path("hookStatus").asText()).isEqualTo("SUCCEEDED");
        assertThat(answer.has("callBackDelay")).isFalse();
        String correlationId = DeploymentHook.correlationId(deployment("dep-ok-1"));
        assertThat(world.table.record(correlationId).get("verdict").m().get("result").s()).isEqualTo("succeeded");
        assertThat(world.table.lock(MotoWorld.FAMILY)).isEmpty();
        JsonNode completion = onlyCompletion();
        assertThat(completion.path("correlation_id").asText()).isEqualTo(correlationId);
        assertThat(completion.path("result").asText()).isEqualTo("succeeded");
        assertThat(call(hook, "dep-ok-1").path("hookStatus").asText()).as("a call after the verdict").isEqualTo("SUCCEEDED");
        assertThat(onlyCompletion(0)).as("no second completion event").isEmpty();
    }

    /** The verdict is the completion path's: a migration that exited 1 fails the deployment, so ECS rolls it back. */
    @Test
    void migrationThatFails_answersFailed_fromTheSameVerdict() throws Exception {
        DeploymentHookHandler hook = hook();
        String taskArn = call(hook, "dep-bad-1").path("hookDetails").path("task_arn").asText();
        String correlationId = DeploymentHook.correlationId(deployment("dep-bad-1"));
        // The task-stopped event reaches the completion function first.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Handlers.completion(world.runnerEnvironment(), Metrics.NONE).handleRequest(new ByteArrayInputStream(
                stoppedExit1(taskArn, correlationId)), out, new LocalContext(line -> { }));

        JsonNode answer = call(hook, "dep-bad-1");

        assertThat(answer.path("hookStatus").asText()).isEqualTo("FAILED");
        assertThat(onlyCompletion().path("result").asText()).isEqualTo("failed");
    }

    /**
     * The hook's own path to the verdict: ECS (scripted, since moto cannot make a container exit 3) reports the task
     * stopped, and the hook answers from the same verdict rules, records it and publishes the completion event.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
            "EssentialContainerExited, 3, , failed, 3",
            "TaskFailedToStart, , CannotPullContainerError: pull access denied, not_started, ",
            "EssentialContainerExited, 0, , succeeded, 0"})
    void startThenInProgressThenTheVerdict(String stopCode, Integer exitCode, String containerReason, String result, Integer published)
            throws Exception {
        DeploymentHookHandler hook = hook();
        String deployment = "dep-" + result + "-1";
        JsonNode first = call(hook, deployment);
        String taskArn = first.path("hookDetails").path("task_arn").asText();
        for (int call = 0; call < 3; call++) {
            assertThat(call(hook, payload(deployment, REVISION, first.path("hookDetails")), new ArrayList<>()).path("hookStatus").asText())
                    .isEqualTo("IN_PROGRESS");
        }
        stoppedInEcs(taskArn, DeploymentHook.correlationId(deployment(deployment)), stopCode, exitCode, containerReason);

        List<String> logged = new ArrayList<>();
        JsonNode answer = call(hook, payload(deployment, REVISION, first.path("hookDetails")), logged);

        assertThat(answer.path("hookStatus").asText()).isEqualTo(result.equals("succeeded") ? "SUCCEEDED" : "FAILED");
        assertThat(String.join("\n", logged)).contains("migration " + result);
        JsonNode completion = onlyCompletion();
        assertThat(completion.path("result").asText()).isEqualTo(result);
        if (published == null) {
            assertThat(completion.has("exit_code")).isFalse();
        } else {
            assertThat(completion.path("exit_code").asInt()).isEqualTo(published);
        }
        assertThat(world.table.record(DeploymentHook.correlationId(deployment(deployment))).get("verdict").m().get("result").s())
                .isEqualTo(result);
        assertThat(world.table.lock(MotoWorld.FAMILY)).isEmpty();
    }

    @Test
    void revisionOffTheAllowList_isRefusedWithFailed_andStartsNothing() throws Exception {
        String other = world.registerTaskDefinition("billing");
        String revision = REVISION.replace("9313423515462893900", "1111");
        serveRevision(revision, other, CLUSTER_ARN);

        List<String> logged = new ArrayList<>();
        JsonNode answer = call(hook(), payload("dep-other-1", revision), logged);

        assertThat(answer.path("hookStatus").asText()).isEqualTo("FAILED");
        assertThat(String.join("\n", logged)).contains("family 'billing' is not allowed");
        assertThat(world.ecs.listTasks(r -> r.cluster(MotoWorld.CLUSTER)).taskArns()).isEmpty();
        assertThat(world.table.record(DeploymentHook.correlationId(deployment("dep-other-1"))).get("status").s()).isEqualTo("REJECTED");
    }

    /**
     * A second deployment while the first one's migration runs waits for the lock (IN_PROGRESS), and starts its own
     * migration once the first has stopped.
     */
    @Test
    void secondDeployment_waitsForTheFirstMigration_thenRunsItsOwn() throws Exception {
        DeploymentHookHandler hook = hook();
        String first = call(hook, "dep-a-1").path("hookDetails").path("task_arn").asText();

        JsonNode waiting = call(hook, "dep-b-1");
        // ECS merges the answer's hookDetails into the next call's: the wait is reported once, not every 30 s.
        for (int call = 0; call < 3; call++) {
            waiting = call(hook, payload("dep-b-1", REVISION, waiting.path("hookDetails")), new ArrayList<>());
        }

        assertThat(waiting.path("hookStatus").asText()).isEqualTo("IN_PROGRESS");
        assertThat(waiting.path("hookDetails").has("task_arn")).isFalse();
        assertThat(waiting.path("hookDetails").path("waiting_for").asText()).isEqualTo(DeploymentHook.correlationId(deployment("dep-a-1")));
        assertThat(metrics.stream().filter(m -> m.startsWith("MigrationsAlreadyRunning=")).count()).isEqualTo(1);
        assertThat(world.tasksStartedBy(DeploymentHook.correlationId(deployment("dep-b-1")))).isEmpty();
        world.ecs.stopTask(r -> r.cluster(MotoWorld.CLUSTER).task(first).reason("done"));
        assertThat(call(hook, "dep-a-1").path("hookStatus").asText()).isEqualTo("SUCCEEDED");

        JsonNode started = call(hook, "dep-b-1");

        assertThat(started.path("hookStatus").asText()).isEqualTo("IN_PROGRESS");
        assertThat(world.tasksStartedBy(DeploymentHook.correlationId(deployment("dep-b-1")))).hasSize(1);
    }

    /** Before the hook's own time runs out, it stops the migration and fails: nothing runs behind a rollback. */
    @Test
    void migrationPastTheHookTimeout_isStopped_andTheDeploymentFails() throws Exception {
        Map<String, String> env = environment();
        env.put("HOOK_TIMEOUT_SECONDS", "600");
        String taskArn = call(Handlers.hook(env, recorder, Clock.systemUTC()), "dep-slow-1").path("hookDetails").path("task_arn").asText();
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(11));

        List<String> logged = new ArrayList<>();
        JsonNode answer = call(Handlers.hook(env, recorder, later), payload("dep-slow-1", REVISION), logged);

        assertThat(answer.path("hookStatus").asText()).isEqualTo("FAILED");
        assertThat(String.join("\n", logged)).contains("gave up after", "HOOK_TIMEOUT_SECONDS");
        Task task = world.ecs.describeTasks(r -> r.cluster(MotoWorld.CLUSTER).tasks(taskArn)).tasks().getFirst();
        assertThat(task.lastStatus()).isEqualTo("STOPPED");
        assertThat(task.stoppedReason()).contains("gave up");
    }

    /** Throttling or a 5xx must not roll a deployment back: the hook asks ECS to call again, and the next call goes on. */
    @Test
    void awsTroubleOnACall_answersInProgress_andTheNextCallGoesOn() throws Exception {
        DeploymentHookHandler hook = hook();
        String revision = REVISION.replace("9313423515462893900", "5000");
        revisions.stubFor(ecs("DescribeServiceRevisions").withRequestBody(containing(revision)).atPriority(1)
                .willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"__type\":\"ServerException\",\"message\":\"internal error\"}")));

        List<String> logged = new ArrayList<>();
        JsonNode troubled = call(hook, payload("dep-flaky-1", revision), logged);

        assertThat(troubled.path("hookStatus").asText()).isEqualTo("IN_PROGRESS");
        assertThat(String.join("\n", logged)).contains("AWS trouble", "internal error");
        assertThat(world.ecs.listTasks(r -> r.cluster(MotoWorld.CLUSTER)).taskArns()).isEmpty();

        // Past HOOK_TIMEOUT_SECONDS from the first call (which ECS passes back), the trouble fails the deployment.
        Map<String, String> env = environment();
        env.put("HOOK_TIMEOUT_SECONDS", "600");
        JsonNode late = call(Handlers.hook(env, recorder, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(11))),
                payload("dep-flaky-1", revision, troubled.path("hookDetails")), new ArrayList<>());
        assertThat(late.path("hookStatus").asText()).isEqualTo("FAILED");

        serveRevision(revision, world.taskDefinitionArn, CLUSTER_ARN);
        JsonNode next = call(hook, payload("dep-flaky-1", revision, troubled.path("hookDetails")), new ArrayList<>());

        assertThat(next.path("hookStatus").asText()).isEqualTo("IN_PROGRESS");
        assertThat(next.path("hookDetails").path("first_called_at").asText())
                .isEqualTo(troubled.path("hookDetails").path("first_called_at").asText());
        assertThat(world.tasksStartedBy(DeploymentHook.correlationId(deployment("dep-flaky-1")))).hasSize(1);
    }

    @Test
    void misconfiguredHooks_failTheDeployment() throws Exception {
        DeploymentHookHandler hook = hook();
        String otherCluster = REVISION.replace("9313423515462893900", "2222");
        serveRevision(otherCluster, world.taskDefinitionArn, "arn:aws:ecs:us-east-1:123456789012:cluster/elsewhere");

        assertThat(call(hook, payload("dep-stage-1", REVISION).replace("PRE_SCALE_UP", "POST_SCALE_UP"), new ArrayList<>())
                .path("hookStatus").asText()).isEqualTo("FAILED");
        assertThat(call(hook, payload("dep-cluster-1", otherCluster), new ArrayList<>()).path("hookStatus").asText()).isEqualTo("FAILED");
        assertThat(call(hook, payload("dep-gone-1", REVISION.replace("9313423515462893900", "404")), new ArrayList<>())
                .path("hookStatus").asText()).isEqualTo("FAILED");
        assertThat(call(hook, "{\"detail-type\":\"AWS ECS Migration Task\"}", new ArrayList<>()).path("hookStatus").asText())
                .isEqualTo("FAILED");
        assertThat(world.ecs.listTasks(r -> r.cluster(MotoWorld.CLUSTER)).taskArns()).isEmpty();
    }

    // ---- Helpers ----

    private DeploymentHookHandler hook() {
        return Handlers.hook(environment(), recorder, Clock.systemUTC());
    }

    private Map<String, String> environment() {
        Map<String, String> env = world.runnerEnvironment();
        env.put("AWS_ENDPOINT_URL_ECS", revisions.baseUrl());
        return env;
    }

    private JsonNode call(DeploymentHookHandler hook, String deploymentId) throws Exception {
        return call(hook, payload(deploymentId, REVISION), new ArrayList<>());
    }

    private static JsonNode call(DeploymentHookHandler hook, String payload, List<String> logged) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        hook.handleRequest(new ByteArrayInputStream(payload.getBytes()), out, new LocalContext(logged::add));
        return JSON.readTree(out.toByteArray());
    }

    private static String deployment(String id) {
        return "arn:aws:ecs:us-east-1:123456789012:service-deployment/migrations/web/" + id;
    }

    /** A later call: ECS passes back the hookDetails of the previous answer. */
    private static String payload(String deploymentId, String revision, JsonNode hookDetails) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode call = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(
                payload(deploymentId, revision));
        call.set("hookDetails", hookDetails);
        return JSON.writeValueAsString(call);
    }

    /** A PRE_SCALE_UP call, shaped as the ECS developer guide's Lambda hook example. */
    private static String payload(String deploymentId, String revision) {
        return """
                {
                  "executionId": "f4fcae0f-9bec-41c6-ba87-0eaa0cef8af5",
                  "lifecycleStage": "PRE_SCALE_UP",
                  "resourceArn": "%s",
                  "executionDetails": {
                    "serviceArn": "%s",
                    "targetServiceRevisionArn": "%s",
                    "testTrafficWeights": {},
                    "productionTrafficWeights": {}
                  }
                }""".formatted(deployment(deploymentId), SERVICE_ARN, revision);
    }

    /** DescribeServiceRevisions for one revision, as the ECS API reference shows its response. */
    private void serveRevision(String revision, String taskDefinition, String cluster) {
        revisions.stubFor(ecs("DescribeServiceRevisions").withRequestBody(containing(revision)).atPriority(1).willReturn(json("""
                {"serviceRevisions": [{"serviceRevisionArn": "%s", "serviceArn": "%s", "clusterArn": "%s", "taskDefinition": "%s",
                  "launchType": "FARGATE", "platformVersion": "1.4.0",
                  "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["%s"], "securityGroups": ["%s"], "assignPublicIp": "DISABLED"}},
                  "containerImages": [{"containerName": "app", "image": "app:latest"}], "createdAt": 1.7639856E9}],
                 "failures": []}""".formatted(revision, SERVICE_ARN, cluster, taskDefinition, world.subnet, world.securityGroup))));
        revisions.stubFor(ecs("DescribeServiceRevisions").atPriority(5).willReturn(json("""
                {"serviceRevisions": [], "failures": [{"arn": "unknown", "reason": "MISSING"}]}""")));
    }

    /** DescribeTasks for one task, answered as ECS would once it stopped (the API reference's Task shape). */
    private void stoppedInEcs(String taskArn, String startedBy, String stopCode, Integer exitCode, String containerReason) {
        long now = Instant.now().getEpochSecond();
        String container = "{\"name\": \"app\", \"lastStatus\": \"STOPPED\""
                + (exitCode == null ? "" : ", \"exitCode\": " + exitCode)
                + (containerReason == null ? "" : ", \"reason\": \"" + containerReason + "\"") + "}";
        revisions.stubFor(ecs("DescribeTasks").withRequestBody(containing(taskArn)).atPriority(1).willReturn(json("""
                {"tasks": [{"taskArn": "%s", "clusterArn": "%s", "lastStatus": "STOPPED", "desiredStatus": "STOPPED",
                  "group": "migration:app", "startedBy": "%s", "taskDefinitionArn": "%s", "stopCode": "%s",
                  "stoppedReason": "Essential container in task exited", "createdAt": %d, "startedAt": %d, "stoppedAt": %d,
                  "containers": [%s]}],
                 "failures": []}""".formatted(taskArn, CLUSTER_ARN, startedBy, world.taskDefinitionArn, stopCode, now - 100, now - 90, now,
                container))));
    }

    private byte[] stoppedExit1(String taskArn, String correlationId) throws Exception {
        String sample = Files.readString(Path.of("src/test/resources/task-events/stopped-exit-1.json"));
        com.fasterxml.jackson.databind.node.ObjectNode event = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(sample);
        Instant now = Instant.now();
        ((com.fasterxml.jackson.databind.node.ObjectNode) event.path("detail")).put("taskArn", taskArn).put("startedBy", correlationId)
                .put("taskDefinitionArn", world.taskDefinitionArn).put("clusterArn", CLUSTER_ARN)
                .put("startedAt", now.minusSeconds(60).toString()).put("stoppedAt", now.toString());
        return JSON.writeValueAsBytes(event);
    }

    private JsonNode onlyCompletion() throws Exception {
        List<JsonNode> found = onlyCompletion(1);
        assertThat(found).hasSize(1);
        return found.getFirst();
    }

    /** The completion events received, up to one more than expected, so that an extra one shows. */
    private List<JsonNode> onlyCompletion(int expected) throws Exception {
        List<JsonNode> details = new ArrayList<>();
        for (String body : world.received(completions, expected + 1)) {
            details.add(JSON.readTree(body).path("detail"));
        }
        return details;
    }
}
