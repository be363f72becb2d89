package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecsmigrate.local.Contender;
import dev.ecsmigrate.local.LocalContext;
import dev.ecsmigrate.testing.FakeAws;
import dev.ecsmigrate.testing.MotoWorld;
import dev.ecsmigrate.testing.RunTable;
import dev.ecsmigrate.testing.Template;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One migration per family at a time (CONTRACT.md section 4), proven with the real handler and SDK over HTTP:
 * moto_server's DynamoDB holds the lock and the run records (reached one request at a time, see
 * {@link FakeAws#forwardDynamoDbTo}); ECS is moto's, or a scripted endpoint where moto cannot show what is
 * needed (ECS's lag, a RunTask that never answers).
 */
class LockIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONTENDERS = 6;

    private MotoWorld world;
    /** DynamoDB goes through here to moto_server, one request at a time, as atomic as DynamoDB's own conditional writes. */
    private FakeAws dynamo;

    @BeforeEach
    void setUp() {
        world = new MotoWorld();
        dynamo = new FakeAws().forwardDynamoDbTo(world.moto.endpoint());
    }

    @AfterEach
    void tearDown() {
        dynamo.close();
        world.close();
    }

    /** The function's environment: ECS on moto_server, DynamoDB through the serializing endpoint. */
    private Map<String, String> environment() {
        Map<String, String> env = world.runnerEnvironment();
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
        return env;
    }

    private static JsonNode invoke(MigrationHandler handler, byte[] event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, new LocalContext(line -> { }));
        return JSON.readTree(out.toByteArray());
    }

    private byte[] run(String correlationId) {
        return MotoWorld.trigger("evt-" + correlationId, world.taskDefinitionArn, correlationId);
    }

    private int runningTasks() {
        return world.ecs.listTasks(r -> r.cluster(MotoWorld.CLUSTER).desiredStatus(DesiredStatus.RUNNING)).taskArns().size();
    }

    private void stopEveryTask() {
        world.ecs.listTasks(r -> r.cluster(MotoWorld.CLUSTER)).taskArns()
                .forEach(task -> world.ecs.stopTask(r -> r.cluster(MotoWorld.CLUSTER).task(task).reason("round over")));
    }

    /** Lambda instances side by side: each thread has a handler of its own, with clients of its own. */
    @Test
    void parallelInvocationsInThreads_startExactlyOneTask_fiftyRoundsInARow() throws Exception {
        List<MigrationHandler> handlers = new ArrayList<>();
        for (int i = 0; i < CONTENDERS; i++) {
            handlers.add(Handlers.trigger(environment()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(CONTENDERS);
        Map<String, Integer> statuses = new TreeMap<>();
        int tasks = 0;
        try {
            for (int round = 0; round < 50; round++) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<JsonNode>> results = new ArrayList<>();
                for (int i = 0; i < CONTENDERS; i++) {
                    MigrationHandler handler = handlers.get(i);
                    byte[] event = run("r" + round + "-t" + i);
                    results.add(pool.submit(() -> {
                        go.await();
                        return invoke(handler, event);
                    }));
                }
                go.countDown();
                List<String> round_ = new ArrayList<>();
                for (Future<JsonNode> result : results) {
                    round_.add(result.get(60, TimeUnit.SECONDS).path("status").asText());
                }
                round_.forEach(status -> statuses.merge(status, 1, Integer::sum));
                assertThat(round_).as("round %d", round).containsOnlyOnce("STARTED").containsOnly("STARTED", "ALREADY_RUNNING");
                assertThat(runningTasks()).as("tasks running in round %d", round).isEqualTo(1);
                tasks += runningTasks();
                stopEveryTask();
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("lock, threads: 50 rounds of %d parallel invocations: %s, %d tasks started%n", CONTENDERS, statuses, tasks);
        assertThat(world.ecs.listTasks(r -> r.cluster(MotoWorld.CLUSTER).desiredStatus(DesiredStatus.STOPPED)).taskArns()).hasSize(50);
    }

    /** The same with separate JVMs, each built through the handler's no-argument constructor, as Lambda builds it. */
    @Test
    void parallelInvocationsInSeparateJvms_startExactlyOneTask_fiftyRoundsInARow() throws Exception {
        List<Process> jvms = new ArrayList<>();
        List<Writer> inputs = new ArrayList<>();
        List<BufferedReader> outputs = new ArrayList<>();
        int contenders = 4;
        try {
            for (int i = 0; i < contenders; i++) {
                Process jvm = contender(environment());
                jvms.add(jvm);
                inputs.add(new OutputStreamWriter(jvm.getOutputStream(), StandardCharsets.UTF_8));
                BufferedReader output = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
                outputs.add(output);
                assertThat(output.readLine()).isEqualTo("ready");
            }
            Map<String, Integer> statuses = new TreeMap<>();
            for (int round = 0; round < 50; round++) {
                for (int i = 0; i < contenders; i++) {
                    inputs.get(i).write(new String(run("j" + round + "-p" + i), StandardCharsets.UTF_8) + "\n");
                }
                for (Writer input : inputs) {
                    input.flush();
                }
                List<String> round_ = new ArrayList<>();
                for (BufferedReader output : outputs) {
                    String line = output.readLine();
                    assertThat(line).as("round %d", round).startsWith("{");
                    round_.add(JSON.readTree(line).path("status").asText());
                }
                round_.forEach(status -> statuses.merge(status, 1, Integer::sum));
                assertThat(round_).as("round %d", round).containsOnlyOnce("STARTED").containsOnly("STARTED", "ALREADY_RUNNING");
                assertThat(runningTasks()).as("tasks running in round %d", round).isEqualTo(1);
                stopEveryTask();
            }
            System.out.printf("lock, JVMs: 50 rounds of %d parallel invocations: %s, %d tasks started%n", contenders, statuses,
                    world.ecs.listTasks(r -> r.cluster(MotoWorld.CLUSTER).desiredStatus(DesiredStatus.STOPPED)).taskArns().size());
        } finally {
            jvms.forEach(Process::destroyForcibly);
        }
    }

    /**
     * ECS is eventually consistent: here a new task stays out of ListTasks and DescribeTasks for 30 seconds.
     * The lock, not ECS, keeps the second and later runs out.
     */
    @Test
    void ecsThatDoesNotShowANewTaskFor30Seconds_stillGetsExactlyOneTask() throws Exception {
        try (FakeAws ecs = new FakeAws().tasksVisibleAfter(Duration.ofSeconds(30))) {
            Map<String, String> env = environment();
            env.put("AWS_ENDPOINT_URL_ECS", ecs.endpoint().toString());
            List<Callable<JsonNode>> runs = new ArrayList<>();
            for (int i = 0; i < CONTENDERS; i++) {
                MigrationHandler handler = Handlers.trigger(env);
                byte[] event = run("lag-" + i);
                runs.add(() -> invoke(handler, event));
            }

            List<String> statuses = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(CONTENDERS);
            try {
                for (Future<JsonNode> result : pool.invokeAll(runs)) {
                    statuses.add(result.get().path("status").asText());
                }
            } finally {
                pool.shutdownNow();
            }
            JsonNode later = invoke(Handlers.trigger(env), run("lag-later"));

            assertThat(statuses).containsOnlyOnce("STARTED").containsOnly("STARTED", "ALREADY_RUNNING");
            assertThat(later.path("status").asText()).isEqualTo("ALREADY_RUNNING");
            assertThat(later.path("reason").asText()).contains("holds the lock");
            assertThat(ecs.tasksStarted()).isEqualTo(1);
            assertThat(ecs.calls("ecs:ListTasks")).as("the guard never asks ECS for a list").isZero();
        }
    }

    /**
     * The function's JVM dies after taking the lock and before RunTask answers. Another run is refused while
     * the grace lasts; the redelivery of the same run proceeds and starts one task.
     */
    @Test
    void crashBetweenLockAndRunTask_theRedeliveryStartsOneTask_anotherRunIsRefused() throws Exception {
        try (FakeAws ecs = new FakeAws()) {
            Map<String, String> env = environment();
            env.put("AWS_ENDPOINT_URL_ECS", ecs.endpoint().toString());
            crashDuringRunTask(env, ecs, "crashed");

            JsonNode other = invoke(Handlers.trigger(env), run("other"));
            JsonNode redelivery = invoke(Handlers.trigger(env), run("crashed"));

            assertThat(other.path("status").asText()).isEqualTo("ALREADY_RUNNING");
            assertThat(other.path("started_by").asText()).isEqualTo("crashed");
            assertThat(other.path("reason").asText()).contains("its task is starting");
            assertThat(redelivery.path("status").asText()).isEqualTo("STARTED");
            assertThat(ecs.tasksStarted()).isEqualTo(1);
            assertThat(world.table.lock(MotoWorld.FAMILY).get("task_arn").s()).isEqualTo(redelivery.path("task_arn").asText());
        }
    }

    /** After the same crash, once the grace has passed, another run takes the lock over. */
    @Test
    void crashBetweenLockAndRunTask_anotherRunTakesOverOnceTheGraceHasPassed() throws Exception {
        try (FakeAws ecs = new FakeAws()) {
            Map<String, String> env = environment();
            env.put("AWS_ENDPOINT_URL_ECS", ecs.endpoint().toString());
            env.put("LOCK_GRACE_SECONDS", "3");
            crashDuringRunTask(env, ecs, "crashed");

            JsonNode refused = invoke(Handlers.trigger(env), run("early"));
            Thread.sleep(3_500);
            JsonNode takenOver = invoke(Handlers.trigger(env), run("late"));

            assertThat(refused.path("status").asText()).isEqualTo("ALREADY_RUNNING");
            assertThat(takenOver.path("status").asText()).isEqualTo("STARTED");
            assertThat(takenOver.path("reason").asText()).contains("took over the lock of run crashed (it started no task within 3 s)");
            assertThat(ecs.tasksStarted()).isEqualTo(1);
            assertThat(world.table.lock(MotoWorld.FAMILY).get("holder").s()).isEqualTo("late");
        }
    }

    /** A JVM takes the lock for the run, then dies while its RunTask hangs; ECS never starts that task. */
    private void crashDuringRunTask(Map<String, String> env, FakeAws ecs, String correlationId) throws Exception {
        ecs.fail("ecs:RunTask", new FakeAws.Stall(20_000));
        Process jvm = contender(env);
        try {
            BufferedReader output = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
            assertThat(output.readLine()).isEqualTo("ready");
            Writer input = new OutputStreamWriter(jvm.getOutputStream(), StandardCharsets.UTF_8);
            input.write(new String(run(correlationId), StandardCharsets.UTF_8) + "\n");
            input.flush();
            Instant deadline = Instant.now().plusSeconds(30);
            while (ecs.calls("ecs:RunTask") == 0 && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
            }
            assertThat(ecs.calls("ecs:RunTask")).as("the JVM reached RunTask").isEqualTo(1);
        } finally {
            jvm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Map<String, AttributeValue> lock = world.table.lock(MotoWorld.FAMILY);
        assertThat(lock.get("holder").s()).as("the dead run holds the lock").isEqualTo(correlationId);
        assertThat(lock).doesNotContainKey("task_arn");
        assertThat(ecs.tasksStarted()).isZero();
    }

    @Test
    void holderStopped_theNextRunTakesOverAtOnce() throws Exception {
        MigrationHandler handler = Handlers.trigger(environment());
        JsonNode first = invoke(handler, run("first"));
        world.ecs.stopTask(r -> r.cluster(MotoWorld.CLUSTER).task(first.path("task_arn").asText()).reason("done"));

        JsonNode next = invoke(handler, run("next"));

        assertThat(next.path("status").asText()).isEqualTo("STARTED");
        assertThat(next.path("reason").asText()).contains("took over the lock of run first (its task " + first.path("task_arn").asText()
                + " has stopped)");
        assertThat(world.table.lock(MotoWorld.FAMILY).get("holder").s()).isEqualTo("next");
    }

    @Test
    void twoRunsRacingToTakeOverAStaleLock_oneWins() throws Exception {
        for (int race = 0; race < 10; race++) {
            JsonNode holder = invoke(Handlers.trigger(environment()), run("holder-" + race));
            world.ecs.stopTask(r -> r.cluster(MotoWorld.CLUSTER).task(holder.path("task_arn").asText()).reason("done"));
            MigrationHandler a = Handlers.trigger(environment());
            MigrationHandler b = Handlers.trigger(environment());
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                byte[] eventA = run("a-" + race);
                byte[] eventB = run("b-" + race);
                Future<JsonNode> first = pool.submit(() -> {
                    go.await();
                    return invoke(a, eventA);
                });
                Future<JsonNode> second = pool.submit(() -> {
                    go.await();
                    return invoke(b, eventB);
                });
                go.countDown();
                assertThat(List.of(first.get().path("status").asText(), second.get().path("status").asText()))
                        .as("race %d", race).containsExactlyInAnyOrder("STARTED", "ALREADY_RUNNING");
            } finally {
                pool.shutdownNow();
            }
            assertThat(runningTasks()).as("race %d", race).isEqualTo(1);
            stopEveryTask();
        }
    }

    /** README, "The lock": the one-line command that clears a stuck lock, run as written against moto_server. */
    @Test
    void clearingTheLockByTheDocumentedCommand_letsTheNextRunStart() throws Exception {
        JsonNode stuck = invoke(Handlers.trigger(environment()), run("stuck"));
        String command = Files.readAllLines(Path.of("README.md")).stream().map(String::strip)
                .filter(line -> line.startsWith("aws dynamodb delete-item")).findFirst()
                .orElseThrow(() -> new AssertionError("README.md shows no 'aws dynamodb delete-item' command"));
        Map<String, String> shell = new java.util.HashMap<>(dev.ecsmigrate.testing.Script.baseEnvironment());
        shell.put("AWS_ENDPOINT_URL", world.moto.endpoint().toString());
        shell.put("TABLE", RunTable.NAME);
        shell.put("CLUSTER", MotoWorld.CLUSTER);
        shell.put("FAMILY", MotoWorld.FAMILY);
        shell.put("HOLDER", "stuck");
        ProcessBuilder clear = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true);
        clear.environment().clear();
        clear.environment().putAll(shell);
        Process process = clear.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor()).as(command + "\n" + output).isZero();
        assertThat(world.table.lock(MotoWorld.FAMILY)).isEmpty();
        JsonNode next = invoke(Handlers.trigger(environment()), run("after-clearing"));
        assertThat(next.path("status").asText()).isEqualTo("STARTED");
        assertThat(stuck.path("status").asText()).isEqualTo("STARTED");
    }

    /** The run record: one GetItem by correlation id, whatever the status. */
    @Test
    void everyWellFormedEvent_leavesARunRecord() throws Exception {
        MigrationHandler handler = Handlers.trigger(environment());
        JsonNode started = invoke(handler, run("recorded"));
        JsonNode blocked = invoke(handler, run("blocked"));
        JsonNode rejected = invoke(handler, MotoWorld.trigger("evt-bad", "arn:aws:ecs:us-east-1:123456789012:task-definition/other:1",
                "refused"));

        Map<String, AttributeValue> record = world.table.record("recorded");
        assertThat(record.get("status").s()).isEqualTo("STARTED");
        assertThat(record.get("task_arn").s()).isEqualTo(started.path("task_arn").asText());
        assertThat(record.get("event_id").s()).isEqualTo("evt-recorded");
        assertThat(record.get("cluster").s()).isEqualTo(MotoWorld.CLUSTER);
        assertThat(record.get("task_definition").s()).isEqualTo(world.taskDefinitionArn);
        assertThat(record.get("reason").s()).isEqualTo(started.path("reason").asText());
        assertThat(Instant.parse(record.get("created_at").s())).isBefore(Instant.now().plusSeconds(1));
        long expires = Long.parseLong(record.get("expires_at").n());
        assertThat(Instant.ofEpochSecond(expires)).isBetween(Instant.now().plus(Duration.ofDays(89)), Instant.now().plus(Duration.ofDays(91)));
        Map<String, AttributeValue> refused = world.table.record("blocked");
        assertThat(refused.get("status").s()).isEqualTo("ALREADY_RUNNING");
        assertThat(refused).doesNotContainKey("task_arn");
        assertThat(refused.get("blocking_task_arn").s()).isEqualTo(blocked.path("task_arn").asText());
        assertThat(refused.get("blocking_correlation_id").s()).isEqualTo("recorded");
        assertThat(world.table.record("refused").get("status").s()).isEqualTo("REJECTED");
        assertThat(world.table.record("refused").get("reason").s()).isEqualTo(rejected.path("reason").asText());

        invoke(handler, run("recorded"));
        assertThat(world.table.record("recorded").get("deliveries").n()).as("a repeated delivery is counted").isEqualTo("2");
        assertThat(world.table.record("recorded").get("status").s()).as("and leaves the record as it was").isEqualTo("STARTED");
    }

    /** A function instance in a JVM of its own, started as Lambda would start it, with only the function's environment. */
    private static Process contender(Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Contender.class.getName(), Template.handler())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().put("AWS_ACCESS_KEY_ID", "test");
        builder.environment().put("AWS_SECRET_ACCESS_KEY", "test");
        return builder.start();
    }
}
