package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecsmigrate.aws.AwsClients;
import dev.ecsmigrate.local.LocalContext;
import dev.ecsmigrate.testing.FakeAws;
import dev.ecsmigrate.testing.Fixtures;
import dev.ecsmigrate.testing.MotoServer;
import dev.ecsmigrate.testing.Template;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AWS faults on every call the start path makes (ECS DescribeServices and RunTask, the lock and record
 * transactions on DynamoDB, EventBridge PutEvents), played by a scripted endpoint (DynamoDB calls that
 * suffer no fault go on to moto_server): throttling, 500, 503, a dropped connection, an answer slower
 * than the timeouts, a malformed body, a refused entry. Each run must end within the template's Timeout,
 * with bounded attempts, never two tasks, never STARTED without a task, and its status logged whenever
 * there is one. Faults that last are thrown for Lambda to retry; faults that pass are survived.
 */
class FaultsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CALLS = List.of("ecs:DescribeServices", "dynamodb:TransactWriteItems", "ecs:RunTask",
            "events:PutEvents");

    /** What one run came to. */
    record Run(String action, String fault, Duration took, Throwable thrown, JsonNode status, List<String> lines,
               int attempts, int tasks, List<JsonNode> runTasks) {

        @Override
        public String toString() {
            return action + " " + fault + ": " + (thrown != null ? "thrown " + thrown.getClass().getSimpleName()
                    : status.path("status").asText()) + " after " + took.toMillis() + " ms, " + attempts + " attempts, " + tasks + " tasks";
        }
    }

    private static Run run(String action, String faultName, java.util.function.Consumer<FakeAws> script) {
        try (FakeAws aws = new FakeAws().forwardDynamoDbTo(MotoServer.get().endpoint())) {
            String table = "runs-" + java.util.UUID.randomUUID();
            // A live service to copy the network from, so that DescribeServices is on the path too.
            aws.answer("ecs:DescribeServices", request -> """
                    {"services":[{"serviceName":"web","status":"ACTIVE","launchType":"FARGATE","networkConfiguration":{"awsvpcConfiguration":
                    {"subnets":["subnet-0123456789abcdef0"],"securityGroups":["sg-0123456789abcdef0"],"assignPublicIp":"DISABLED"}}}],"failures":[]}""");
            script.accept(aws);
            Map<String, String> env = Fixtures.with(Fixtures.with(Fixtures.env(), "NETWORK_FROM_SERVICE", "web"), "SUBNETS", null);
            env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
            env.put("TABLE_NAME", table);
            createTable(table);
            MigrationHandler handler = Handlers.trigger(env);
            List<String> lines = new ArrayList<>();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long start = System.nanoTime();
            Throwable thrown = null;
            try {
                handler.handleRequest(new ByteArrayInputStream(Fixtures.event("migration-with-correlation-id.json")), out,
                        new LocalContext(lines::add));
            } catch (Throwable t) {
                thrown = t;
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            JsonNode status = thrown == null ? read(out.toByteArray()) : null;
            return new Run(action, faultName, took, thrown, status, lines, aws.calls(action), aws.tasksStarted(), aws.requests("ecs:RunTask"));
        }
    }

    /** A table of its own for each run, so that runs played side by side do not share locks. */
    private static void createTable(String name) {
        try (var dynamo = software.amazon.awssdk.services.dynamodb.DynamoDbClient.builder()
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1).credentialsProvider(MotoServer.CREDENTIALS)
                .endpointOverride(MotoServer.get().endpoint()).build()) {
            dynamo.createTable(r -> r.tableName(name).billingMode("PAY_PER_REQUEST")
                    .attributeDefinitions(a -> a.attributeName("id").attributeType("S")).keySchema(k -> k.attributeName("id").keyType("HASH")));
        }
    }

    @BeforeAll
    static void freshMoto() {
        MotoServer.get().reset();
    }

    private static JsonNode read(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Duration templateTimeout() {
        return Duration.ofSeconds(Template.function().path("Timeout").asInt());
    }

    /** The promises every run keeps, whatever the fault. */
    private static void assertBounded(Run run) {
        assertThat(run.took()).as("%s ends within the template's Timeout", run).isLessThan(templateTimeout());
        assertThat(run.attempts()).as("%s: attempts", run).isBetween(1, AwsClients.MAX_ATTEMPTS);
        assertThat(run.tasks()).as("%s: never two tasks", run).isLessThanOrEqualTo(1);
        if (run.status() != null && run.status().path("status").asText().equals("STARTED")) {
            assertThat(run.tasks()).as("%s: STARTED names a task", run).isEqualTo(1);
            assertThat(run.status().path("task_arn").asText()).startsWith("arn:aws:ecs:");
        }
        assertThat(run.runTasks()).extracting(r -> r.path("clientToken").asText()).as("one client token").allMatch("gh-7301122334-1"::equals);
    }

    @Test
    void faultsThatLast_areThrownAfterBoundedAttempts_withinTheTimeout() throws Exception {
        List<Callable<Run>> runs = new ArrayList<>();
        for (String action : CALLS) {
            runs.add(() -> run(action, "throttling", aws -> aws.failAlways(action, FakeAws.THROTTLING)));
            runs.add(() -> run(action, "500", aws -> aws.failAlways(action, FakeAws.SERVER_ERROR)));
            runs.add(() -> run(action, "503", aws -> aws.failAlways(action, FakeAws.UNAVAILABLE)));
            runs.add(() -> run(action, "connection dropped", aws -> aws.failAlways(action, new FakeAws.Drop())));
            runs.add(() -> run(action, "slower than the timeouts", aws -> aws.failAlways(action, new FakeAws.Slow(12_000))));
            runs.add(() -> run(action, "malformed body", aws -> aws.failAlways(action, new FakeAws.Malformed())));
        }
        runs.add(() -> run("events:PutEvents", "entry refused", aws -> aws.failAlways("events:PutEvents",
                new FakeAws.RefusedEntry("InternalFailure"))));

        List<Run> results = all(runs);

        for (Run run : results) {
            System.out.println("fault: " + run);
            assertBounded(run);
            assertThat(run.thrown()).as("%s is thrown for Lambda to retry", run).isNotNull();
            if (run.action().equals("dynamodb:TransactWriteItems")) {
                assertThat(run.tasks()).as("%s: the lock was never taken, so nothing started", run).isZero();
            }
            if (run.action().equals("events:PutEvents")) {
                assertThat(run.lines()).as("%s: the status was logged before publishing failed", run).hasSize(1);
                assertThat(run.lines().getFirst()).contains("\"status\":\"STARTED\"");
            }
        }
    }

    @Test
    void faultsThatPass_areRetriedAndSurvived() throws Exception {
        List<Callable<Run>> runs = new ArrayList<>();
        for (String action : CALLS) {
            runs.add(() -> run(action, "throttled twice", aws -> aws.fail(action, FakeAws.THROTTLING, FakeAws.THROTTLING)));
            runs.add(() -> run(action, "500 then 503", aws -> aws.fail(action, FakeAws.SERVER_ERROR, FakeAws.UNAVAILABLE)));
            runs.add(() -> run(action, "dropped once", aws -> aws.fail(action, new FakeAws.Drop())));
            runs.add(() -> run(action, "slow once", aws -> aws.fail(action, new FakeAws.Slow(12_000))));
        }

        for (Run run : all(runs)) {
            System.out.println("fault: " + run);
            assertBounded(run);
            assertThat(run.thrown()).as("%s", run).isNull();
            assertThat(run.status().path("status").asText()).as("%s", run).isEqualTo("STARTED");
            assertThat(run.tasks()).as("%s", run).isEqualTo(1);
        }
    }

    /**
     * The lock is taken, the task starts, and then the table cannot be reached: the status line is logged,
     * the failure thrown; Lambda's retry finds the lock still this run's, gets the same task back from ECS by
     * its client token, and records it.
     */
    @Test
    void tableUnreachableAfterTheStart_logsTheStatusAndThrows_andTheRetryRecordsTheSameTask() throws Exception {
        try (FakeAws aws = new FakeAws().forwardDynamoDbTo(MotoServer.get().endpoint())) {
            String table = "runs-" + java.util.UUID.randomUUID();
            createTable(table);
            aws.fail("dynamodb:TransactWriteItems", new FakeAws.Pass(), FakeAws.THROTTLING, FakeAws.UNAVAILABLE,
                    new FakeAws.Drop(), FakeAws.SERVER_ERROR);
            Map<String, String> env = Fixtures.env();
            env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
            env.put("TABLE_NAME", table);
            MigrationHandler handler = Handlers.trigger(env);
            List<String> lines = new ArrayList<>();

            Throwable thrown = null;
            try {
                handler.handleRequest(new ByteArrayInputStream(Fixtures.event("migration-with-correlation-id.json")),
                        new ByteArrayOutputStream(), new LocalContext(lines::add));
            } catch (Exception e) {
                thrown = e;
            }
            ByteArrayOutputStream retried = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream(Fixtures.event("migration-with-correlation-id.json")), retried,
                    new LocalContext(lines::add));

            assertThat(thrown).as("the unreachable table is thrown for Lambda to retry").isNotNull();
            assertThat(lines).hasSize(2).allMatch(line -> line.contains("\"status\":\"STARTED\""));
            JsonNode status = read(retried.toByteArray());
            assertThat(status.path("status").asText()).isEqualTo("STARTED");
            assertThat(aws.tasksStarted()).isEqualTo(1);
            assertThat(aws.requests("ecs:RunTask")).extracting(r -> r.path("clientToken").asText()).containsOnly("gh-7301122334-1");
            assertThat(aws.calls("events:PutEvents")).as("published once, after the record").isEqualTo(1);
        }
    }

    /** ECS started the task but its answer was lost: the retry carries the same client token and gets the same task. */
    @Test
    void runTaskWhoseAnswerIsLost_isRetriedWithTheSameClientToken() {
        Run run = run("ecs:RunTask", "answer lost", aws -> aws.fail("ecs:RunTask", new FakeAws.LostAnswer()));

        assertBounded(run);
        assertThat(run.status().path("status").asText()).isEqualTo("STARTED");
        assertThat(run.runTasks()).hasSize(2);
        assertThat(run.tasks()).isEqualTo(1);
    }

    /**
     * Lambda redelivers the event after the task has stopped: the run's record names its task, so nothing new
     * starts; any RunTask the run ever sends carries the same client token, so ECS would give the same task back.
     */
    @Test
    void redeliveryAfterTheTaskStopped_startsNothingNew_andNamesTheSameTask() throws Exception {
        try (FakeAws aws = new FakeAws().forwardDynamoDbTo(MotoServer.get().endpoint())) {
            String table = "runs-" + java.util.UUID.randomUUID();
            createTable(table);
            Map<String, String> env = Fixtures.env();
            env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
            env.put("TABLE_NAME", table);
            MigrationHandler handler = Handlers.trigger(env);
            List<JsonNode> statuses = new ArrayList<>();
            for (int delivery = 0; delivery < 2; delivery++) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                handler.handleRequest(new ByteArrayInputStream(Fixtures.event("migration-with-correlation-id.json")), out,
                        new LocalContext(line -> { }));
                statuses.add(read(out.toByteArray()));
                aws.stop(statuses.getFirst().path("task_arn").asText());
            }

            assertThat(aws.requests("ecs:RunTask")).isNotEmpty().extracting(r -> r.path("clientToken").asText())
                    .containsOnly("gh-7301122334-1");
            assertThat(aws.tasksStarted()).isEqualTo(1);
            assertThat(statuses.get(1).path("status").asText()).isEqualTo("ALREADY_RUNNING");
            assertThat(statuses.get(1).path("task_arn").asText()).isEqualTo(statuses.get(0).path("task_arn").asText());
        }
    }

    private static List<Run> all(List<Callable<Run>> runs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Run> results = new ArrayList<>();
            for (Future<Run> future : pool.invokeAll(runs)) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
