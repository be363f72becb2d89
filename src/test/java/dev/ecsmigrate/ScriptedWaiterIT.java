package dev.ecsmigrate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.ecsmigrate.testing.Fixtures;
import dev.ecsmigrate.testing.GitHubRunnerCommands;
import dev.ecsmigrate.testing.Script;
import dev.ecsmigrate.testing.ScriptedAws;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.ecsmigrate.testing.ScriptedAws.ecs;
import static dev.ecsmigrate.testing.ScriptedAws.error;
import static dev.ecsmigrate.testing.ScriptedAws.json;
import static dev.ecsmigrate.testing.ScriptedAws.logs;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The waiter against a scripted ECS/CloudWatch Logs endpoint that returns the documented JSON for
 * what moto cannot produce: non-zero exit codes, failed starts, missing exit codes, sidecars, throttling.
 */
@Execution(ExecutionMode.CONCURRENT)
class ScriptedWaiterIT {

    private static final String TASK = "arn:aws:ecs:us-east-1:123456789012:task/migrations/0f1e2d3c4b5a";
    private static final String TASK_DEFINITION = Fixtures.TASK_DEFINITION;
    private static final String STREAM = "ecs/app/0f1e2d3c4b5a";

    private WireMockServer endpoint;
    private Map<String, String> env;

    @BeforeEach
    void setUp() {
        endpoint = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        endpoint.start();
        env = Script.baseEnvironment();
        env.put("AWS_ENDPOINT_URL", endpoint.baseUrl());
        // The CLI itself does not retry here, so every retry the test sees is the waiter's own.
        env.put("AWS_RETRY_MODE", "standard");
        env.put("AWS_MAX_ATTEMPTS", "1");
        endpoint.stubFor(ecs("ListTasks").willReturn(json("{\"taskArns\":[\"" + TASK + "\"]}")));
        endpoint.stubFor(ecs("DescribeTaskDefinition").willReturn(json("""
                {"taskDefinition":{"taskDefinitionArn":"%s","family":"app","containerDefinitions":[
                  {"name":"app","essential":true,"logConfiguration":{"logDriver":"awslogs",
                    "options":{"awslogs-group":"/ecs/app","awslogs-region":"us-east-1","awslogs-stream-prefix":"ecs"}}},
                  {"name":"log-router","essential":false}]}}""".formatted(TASK_DEFINITION))));
        endpoint.stubFor(logs("GetLogEvents").withRequestBody(notContaining("nextToken")).willReturn(json("""
                {"events":[{"timestamp":1,"message":"Running upgrade 1a2b -> 3c4d"},{"timestamp":2,"message":"ERROR: relation \\"orders\\" already exists"}],
                 "nextForwardToken":"f/2","nextBackwardToken":"b/0"}""")));
        endpoint.stubFor(logs("GetLogEvents").withRequestBody(containing("nextToken"))
                .willReturn(json("{\"events\":[],\"nextForwardToken\":\"f/2\",\"nextBackwardToken\":\"b/0\"}")));
    }

    @AfterEach
    void tearDown() {
        endpoint.stop();
    }




    private static String stopped(String stopCode, String stoppedReason, String containers) {
        return """
                {"tasks":[{"taskArn":"%s","lastStatus":"STOPPED","desiredStatus":"STOPPED","stopCode":"%s","stoppedReason":"%s",
                  "taskDefinitionArn":"%s","containers":[%s]}],"failures":[]}""".formatted(TASK, stopCode, stoppedReason, TASK_DEFINITION, containers);
    }

    private static String running() {
        return """
                {"tasks":[{"taskArn":"%s","lastStatus":"RUNNING","desiredStatus":"RUNNING","taskDefinitionArn":"%s",
                  "containers":[{"name":"app","lastStatus":"RUNNING"},{"name":"log-router","lastStatus":"RUNNING"}]}],"failures":[]}"""
                .formatted(TASK, TASK_DEFINITION);
    }

    private Script waitFor(String... extra) {
        String[] args = new String[6 + extra.length];
        System.arraycopy(new String[] {"--cluster", "migrations", "--correlation-id", "gh-9-1", "--interval", "1"}, 0, args, 0, 6);
        System.arraycopy(extra, 0, args, 6, extra.length);
        return Script.run("wait-for-migration.sh", env, args);
    }

    @Test
    void nonZeroExitCode_isPassedThrough_withGithubOutputsAndLogs(@TempDir Path github) throws Exception {
        endpoint.stubFor(ecs("DescribeTasks").willReturn(json(stopped("EssentialContainerExited", "Essential container in task exited",
                "{\"name\":\"app\",\"exitCode\":3,\"lastStatus\":\"STOPPED\"},{\"name\":\"log-router\",\"exitCode\":0}"))));
        Path output = github.resolve("output");
        Path summary = github.resolve("summary");
        env.put("GITHUB_ACTIONS", "true");
        env.put("GITHUB_OUTPUT", output.toString());
        env.put("GITHUB_STEP_SUMMARY", summary.toString());

        Script wait = waitFor();

        assertThat(wait.exitCode()).as(wait.output()).isEqualTo(3);
        assertThat(wait.output()).contains("logs: /ecs/app " + STREAM, "  [app] Running upgrade 1a2b -> 3c4d",
                "  [app] ERROR: relation \"orders\" already exists",
                "::error title=Migration failed::migration gh-9-1 failed: container app exited 3");
        assertThat(wait.lastLine()).isEqualTo("result=failed exit_code=3 task_arn=" + TASK + " stop_code=EssentialContainerExited correlation_id=gh-9-1");
        assertThat(Files.readString(output)).contains("task_arn=" + TASK + "\n", "exit_code=3\n", "result=failed\n");
        assertThat(Files.readString(summary)).contains("### Migration failed", "| exit code | 3 |", "| stop code | EssentialContainerExited |");
    }

    @Test
    void containersOwn124_isToldApartFromTheWaitersTimeout() {
        endpoint.stubFor(ecs("DescribeTasks").willReturn(json(stopped("EssentialContainerExited", "Essential container in task exited",
                "{\"name\":\"app\",\"exitCode\":124}"))));

        Script wait = waitFor("--no-logs");

        assertThat(wait.exitCode()).isEqualTo(124);
        assertThat(wait.lastLine()).startsWith("result=failed exit_code=124 ");
    }

    @Test
    void taskFailedToStart_withImagePullError_exits125() {
        endpoint.stubFor(ecs("DescribeTasks").willReturn(json(stopped("TaskFailedToStart",
                "CannotPullContainerError: pull image manifest has been retried 5 time(s): not found",
                "{\"name\":\"app\",\"lastStatus\":\"STOPPED\",\"reason\":\"CannotPullContainerError: ref app:missing not found\"}"))));

        Script wait = waitFor();

        assertThat(wait.exitCode()).as(wait.output()).isEqualTo(125);
        assertThat(wait.output()).contains("the task failed to start: CannotPullContainerError: ref app:missing not found");
        assertThat(wait.lastLine()).startsWith("result=not_started exit_code=125 task_arn=" + TASK + " stop_code=TaskFailedToStart");
    }

    @Test
    void stoppedWithoutExitCode_isAFailureNeverASuccess() {
        endpoint.stubFor(ecs("DescribeTasks").willReturn(json(stopped("SpotInterruption", "Your Spot Task was interrupted.",
                "{\"name\":\"app\",\"lastStatus\":\"STOPPED\"}"))));

        Script wait = waitFor("--no-logs");

        assertThat(wait.exitCode()).isEqualTo(125);
        assertThat(wait.output()).contains("container app stopped without an exit code (stop code SpotInterruption: Your Spot Task was interrupted.)");
    }

    @Test
    void sidecarExitingZero_doesNotHideAFailingMigrationContainer() {
        endpoint.stubFor(ecs("DescribeTasks").willReturn(json(stopped("EssentialContainerExited", "Essential container in task exited",
                "{\"name\":\"log-router\",\"exitCode\":0},{\"name\":\"app\",\"exitCode\":1}"))));

        Script wait = waitFor("--no-logs");

        assertThat(wait.exitCode()).isEqualTo(1);
        assertThat(wait.output()).contains("container app exited 1");
    }

    @Test
    void namedContainer_isJudgedEvenWhenAnotherIsEssential() {
        endpoint.stubFor(ecs("DescribeTasks").willReturn(json(stopped("EssentialContainerExited", "Essential container in task exited",
                "{\"name\":\"log-router\",\"exitCode\":7},{\"name\":\"app\",\"exitCode\":0}"))));

        Script wait = waitFor("--no-logs", "--container", "log-router");

        assertThat(wait.exitCode()).isEqualTo(7);
    }

    @Test
    void throttlingMidWait_isRetriedWithBackoffAndSurvived() {
        endpoint.stubFor(ecs("DescribeTasks").inScenario("throttle").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(running())).willSetStateTo("throttled-1"));
        for (int i = 1; i <= 3; i++) {
            endpoint.stubFor(ecs("DescribeTasks").inScenario("throttle").whenScenarioStateIs("throttled-" + i)
                    .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
                            .withBody("{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"))
                    .willSetStateTo(i < 3 ? "throttled-" + (i + 1) : "done"));
        }
        endpoint.stubFor(ecs("DescribeTasks").inScenario("throttle").whenScenarioStateIs("done")
                .willReturn(json(stopped("EssentialContainerExited", "Essential container in task exited", "{\"name\":\"app\",\"exitCode\":0}"))));

        Script wait = waitFor("--no-logs");

        assertThat(wait.exitCode()).as(wait.output()).isZero();
        assertThat(wait.output()).contains("Rate exceeded", "trying again in 1s", "trying again in 2s", "RUNNING -> STOPPED");
        assertThat(wait.lastLine()).startsWith("result=succeeded exit_code=0");
    }

    @Test
    void otherLogDriver_getsANoteNotAnError() {
        endpoint.stubFor(ecs("DescribeTaskDefinition").willReturn(json("""
                {"taskDefinition":{"taskDefinitionArn":"%s","containerDefinitions":[
                  {"name":"app","essential":true,"logConfiguration":{"logDriver":"awsfirelens","options":{}}}]}}""".formatted(TASK_DEFINITION))));
        endpoint.stubFor(ecs("DescribeTasks").willReturn(json(stopped("EssentialContainerExited", "done", "{\"name\":\"app\",\"exitCode\":0}"))));

        Script wait = waitFor();

        assertThat(wait.exitCode()).as(wait.output()).isZero();
        assertThat(wait.output()).contains("note: container app logs with the 'awsfirelens' driver, not awslogs; not streaming its logs here");
    }

    @Test
    void twoEssentialContainersAndNoneNamed_asksForContainer() {
        endpoint.stubFor(ecs("DescribeTaskDefinition").willReturn(json("""
                {"taskDefinition":{"taskDefinitionArn":"%s","containerDefinitions":[{"name":"app"},{"name":"proxy","essential":true}]}}"""
                .formatted(TASK_DEFINITION))));
        endpoint.stubFor(ecs("DescribeTasks").willReturn(json(stopped("EssentialContainerExited", "done", "{\"name\":\"app\",\"exitCode\":0}"))));

        Script wait = waitFor();

        assertThat(wait.output()).contains("2 essential containers (app proxy); name the migration container with --container");
        assertThat(wait.exitCode()).isEqualTo(125);
        assertThat(wait.lastLine()).startsWith("result=error exit_code=125");
    }

    @Test
    void describeDeniedRepeatedly_endsTheWaitWithTheError() {
        endpoint.stubFor(ecs("DescribeTasks").willReturn(error(400, "AccessDeniedException",
                "User is not authorized to perform: ecs:DescribeTasks")));

        Script wait = waitFor("--no-logs");

        assertThat(wait.exitCode()).as(wait.output()).isEqualTo(125);
        assertThat(wait.output()).contains("cannot read the state of task " + TASK + " (5 tries in a row)", "not authorized",
                "check the ecs:DescribeTasks permission");
        assertThat(wait.lastLine()).startsWith("result=error exit_code=125");
    }

    @Test
    void logsWrittenAfterStop_areDrainedToTheLastLine_throughLogsThrottling() {
        // The first poll already sees STOPPED; CloudWatch is throttled, then behind, then has the lines.
        endpoint.stubFor(ecs("DescribeTasks").willReturn(json(stopped("EssentialContainerExited", "done", "{\"name\":\"app\",\"exitCode\":0}"))));
        endpoint.stubFor(logs("GetLogEvents").inScenario("lagging").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(error(400, "ThrottlingException", "Rate exceeded")).willSetStateTo("empty"));
        endpoint.stubFor(logs("GetLogEvents").inScenario("lagging").whenScenarioStateIs("empty")
                .willReturn(json("{\"events\":[],\"nextForwardToken\":\"f/0\",\"nextBackwardToken\":\"b/0\"}")).willSetStateTo("arrived"));
        endpoint.stubFor(logs("GetLogEvents").inScenario("lagging").whenScenarioStateIs("arrived")
                .willReturn(json("{\"events\":[{\"timestamp\":3,\"message\":\"last line before exit\"}],\"nextForwardToken\":\"f/3\",\"nextBackwardToken\":\"b/0\"}"))
                .willSetStateTo("drained"));
        endpoint.stubFor(logs("GetLogEvents").inScenario("lagging").whenScenarioStateIs("drained")
                .willReturn(json("{\"events\":[],\"nextForwardToken\":\"f/3\",\"nextBackwardToken\":\"b/0\"}")));

        Script wait = waitFor();

        assertThat(wait.exitCode()).as(wait.output()).isZero();
        assertThat(wait.output()).contains("Rate exceeded", "  [app] last line before exit");
        assertThat(wait.output().indexOf("[app] last line before exit")).isGreaterThan(wait.output().indexOf("-> STOPPED"));
    }

    @Test
    void containerNamedByTheRunsRecord_isTheOneJudged() {
        // The run's record names log-router; ECS says log-router exited 4.
        endpoint.stubFor(ScriptedAws.dynamodb("GetItem").withRequestBody(containing("gh-9-1")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/x-amz-json-1.0").withBody("""
                        {"Item":{"id":{"S":"gh-9-1"},"status":{"S":"STARTED"},"task_arn":{"S":"%s"},"container":{"S":"log-router"},
                         "reason":{"S":"started"}}}""".formatted(TASK))));
        endpoint.stubFor(ecs("DescribeTasks").willReturn(json(stopped("EssentialContainerExited", "done",
                "{\"name\":\"app\",\"exitCode\":0},{\"name\":\"log-router\",\"exitCode\":4}"))));

        Script wait = waitFor("--no-logs", "--table", "runs");

        assertThat(wait.exitCode()).as(wait.output()).isEqualTo(4);
        assertThat(wait.output()).contains("container log-router exited 4");
    }

    @Test
    void put_whenEventBridgeRefusesTheEntry_printsTheErrorCodeAndFails() {
        endpoint.stubFor(ScriptedAws.events("PutEvents").willReturn(json(
                "{\"FailedEntryCount\":1,\"Entries\":[{\"ErrorCode\":\"InternalException\",\"ErrorMessage\":\"try later\"}]}")));

        Script put = Script.run("put-migration-event.sh", env, "--task-definition", TASK_DEFINITION, "--correlation-id", "gh-1");

        assertThat(put.exitCode()).isEqualTo(1);
        assertThat(put.output()).contains("EventBridge refused the event (FailedEntryCount=1): InternalException: try later");
    }

    @Test
    void migrate_whenThePutFails_exits125WithAResultLine() {
        endpoint.stubFor(ScriptedAws.events("PutEvents").willReturn(json(
                "{\"FailedEntryCount\":1,\"Entries\":[{\"ErrorCode\":\"AccessDeniedException\",\"ErrorMessage\":\"no\"}]}")));

        Script migrate = Script.run("migrate.sh", env, "--task-definition", TASK_DEFINITION, "--cluster", "migrations");

        assertThat(migrate.exitCode()).isEqualTo(125);
        assertThat(migrate.lastLine()).startsWith("result=not_started exit_code=125");
    }

    private static final String OLD = "arn:aws:ecs:us-east-1:123456789012:task/migrations/00000000000000000000000000000old";
    private static final String NEW = "arn:aws:ecs:us-east-1:123456789012:task/migrations/00000000000000000000000000000new";

    private static String attempt(String arn, double createdAt, int exitCode) {
        return """
                {"taskArn":"%s","lastStatus":"STOPPED","desiredStatus":"STOPPED","stopCode":"EssentialContainerExited",
                 "stoppedReason":"Essential container in task exited","createdAt":%s,"taskDefinitionArn":"%s",
                 "containers":[{"name":"app","exitCode":%d}]}""".formatted(arn, createdAt, TASK_DEFINITION, exitCode);
    }

    /** Two attempts share the startedBy: ListTasks names them in no particular order, and the newer failed. */
    private void twoAttempts(double oldCreated, double newCreated) {
        endpoint.stubFor(ecs("ListTasks").withRequestBody(containing("RUNNING")).willReturn(json("{\"taskArns\":[]}")));
        endpoint.stubFor(ecs("ListTasks").withRequestBody(containing("STOPPED")).willReturn(json(
                "{\"taskArns\":[\"" + NEW + "\",\"" + OLD + "\"]}")));
        String both = "{\"tasks\":[" + attempt(OLD, oldCreated, 0) + "," + attempt(NEW, newCreated, 1) + "],\"failures\":[]}";
        endpoint.stubFor(ecs("DescribeTasks").withRequestBody(containing(OLD)).withRequestBody(containing(NEW)).willReturn(json(both)));
        endpoint.stubFor(ecs("DescribeTasks").withRequestBody(containing(NEW)).withRequestBody(notContaining(OLD))
                .willReturn(json("{\"tasks\":[" + attempt(NEW, newCreated, 1) + "],\"failures\":[]}")));
        endpoint.stubFor(ecs("DescribeTasks").withRequestBody(containing(OLD)).withRequestBody(notContaining(NEW))
                .willReturn(json("{\"tasks\":[" + attempt(OLD, oldCreated, 0) + "],\"failures\":[]}")));
    }

    @Test
    void severalAttemptsShareTheStartedBy_theNewestIsJudged_neverTheOldSuccess() {
        twoAttempts(1_763_900_000.100, 1_763_900_600.200);

        Script wait = waitFor("--no-logs");

        assertThat(wait.exitCode()).as(wait.output()).isEqualTo(1);
        assertThat(wait.output()).contains("2 tasks have startedBy=gh-9-1; judging the newest");
        assertThat(wait.lastLine()).startsWith("result=failed exit_code=1 task_arn=" + NEW);
    }

    @Test
    void twoAttemptsThatCannotBeToldApart_failNamingBoth() {
        twoAttempts(1_763_900_000.100, 1_763_900_000.100);

        Script wait = waitFor("--no-logs");

        assertThat(wait.exitCode()).as(wait.output()).isEqualTo(125);
        assertThat(wait.output()).contains(OLD, NEW, "cannot tell which is this run");
        assertThat(wait.lastLine()).startsWith("result=error exit_code=125");
    }

    /** The old attempt is found first and has stopped with success; a newer one appears before it is judged. */
    @Test
    void aNewerAttemptAppearingDuringTheWait_isFollowedAndJudged() {
        twoAttempts(1_763_900_000.100, 1_763_900_600.200);
        endpoint.stubFor(ecs("ListTasks").withRequestBody(containing("STOPPED")).inScenario("late").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json("{\"taskArns\":[\"" + OLD + "\"]}")).willSetStateTo("both"));
        endpoint.stubFor(ecs("ListTasks").withRequestBody(containing("STOPPED")).inScenario("late").whenScenarioStateIs("both")
                .willReturn(json("{\"taskArns\":[\"" + OLD + "\",\"" + NEW + "\"]}")));

        Script wait = waitFor("--no-logs");

        assertThat(wait.exitCode()).as(wait.output()).isEqualTo(1);
        assertThat(wait.output()).contains("a newer attempt with startedBy=gh-9-1 started: " + NEW);
        assertThat(wait.lastLine()).startsWith("result=failed exit_code=1 task_arn=" + NEW);
    }

    /** Log lines and a runner's reason that try to command the CI runner stay text: the runner carries out only the waiter's own commands. */
    @Test
    void logsThatTryToCommandTheRunner_areFenced(@TempDir Path github) throws Exception {
        ObjectMapper json = new ObjectMapper();
        var page = json.createObjectNode();
        var events = page.putArray("events");
        for (String message : new String[] {"::error::injected-1", "progress 50%\r::warning::injected-2", "text ##[error]injected-3",
                "::add-mask::secret", "::stop-commands::attacker", "##[set-output name=result;]succeeded", "line\n::notice::injected-4",
                "::attacker::", "  ::error file=x::injected-5", "##[endgroup]"}) {
            events.addObject().put("timestamp", 1).put("message", message);
        }
        page.put("nextForwardToken", "f/9").put("nextBackwardToken", "b/0");
        endpoint.stubFor(logs("GetLogEvents").withRequestBody(notContaining("nextToken")).willReturn(json(page.toString())));
        endpoint.stubFor(ecs("DescribeTasks").willReturn(json(stopped("EssentialContainerExited", "Essential container ##[error]injected-6 exited",
                "{\"name\":\"app\",\"exitCode\":3,\"reason\":\"::error::injected-7\"}"))));
        env.put("GITHUB_ACTIONS", "true");
        env.put("GITHUB_STEP_SUMMARY", github.resolve("summary").toString());

        Script wait = waitFor();

        assertThat(wait.exitCode()).as(wait.output()).isEqualTo(3);
        assertThat(wait.output()).contains("[app] ::error::injected-1", "[app] progress 50%\\r::warning::injected-2");
        List<GitHubRunnerCommands.Command> commands = GitHubRunnerCommands.processed(wait.output().lines().toList());
        assertThat(commands).extracting(GitHubRunnerCommands.Command::name).hasSize(3).first().isEqualTo("stop-commands");
        assertThat(commands.get(1).name()).isEqualTo(commands.get(0).data()).matches("[0-9a-f]{32}");
        assertThat(commands.get(2).name()).isEqualTo("error");
        assertThat(commands.get(2).properties()).isEqualTo("title=Migration failed");
        assertThat(commands.get(2).data()).contains("container app exited 3").doesNotContain("%0A").contains("injected-7");
        assertThat(Files.readString(github.resolve("summary"))).doesNotContain("<", "\r");
    }

    /** Without the fence the same output would command the runner: the check above can fail. */
    @Test
    void githubRunnerCommands_seesInjectionsInUnfencedOutput() {
        assertThat(GitHubRunnerCommands.processed(List.of("  [app] text ##[error]injected", "x", "::warning::y", "a ::error::not-a-command")))
                .extracting(GitHubRunnerCommands.Command::name).containsExactly("error", "warning");
        assertThat(GitHubRunnerCommands.processed(List.of("::stop-commands::t1", "::error::hidden", "##[t1]", "::error::seen")))
                .extracting(GitHubRunnerCommands.Command::name).containsExactly("stop-commands", "t1", "error");
    }

    @Test
    void timeoutShorterThanTheStartTimeout_isTheWholeWait() {
        endpoint.stubFor(ecs("ListTasks").willReturn(json("{\"taskArns\":[]}")));

        long started = System.nanoTime();
        Script wait = waitFor("--timeout", "3", "--start-timeout", "300");

        assertThat(wait.exitCode()).as(wait.output()).isEqualTo(124);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        assertThat(wait.lastLine()).startsWith("result=timeout exit_code=124 task_arn=none");
        assertThat(wait.output()).contains("timed out after 3s waiting for migration gh-9-1: no task appeared");
    }

    /** A port on 127.0.0.1 that nothing listens on. */
    private static int closedPort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The waiter, with a long start timeout, must end with result=error, exit 125, within the limit, saying why. */
    private void endsWithErrorWithin(String label, Duration limit, String... says) {
        long started = System.nanoTime();
        Script wait = waitFor("--start-timeout", "600");

        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(wait.exitCode()).as(wait.output()).isEqualTo(125);
        assertThat(took).isLessThan(limit);
        assertThat(wait.output()).contains(says);
        assertThat(wait.lastLine()).startsWith("result=error exit_code=125");
        System.out.println(label + ": result=error after " + took.toMillis() + " ms");
    }

    @Test
    void unreachableEndpoint_endsFastWithError() throws Exception {
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:" + closedPort());
        env.remove("AWS_MAX_ATTEMPTS");

        endsWithErrorWithin("unreachable endpoint", Duration.ofMinutes(1), "cannot reach AWS", "Could not connect to the endpoint URL");
    }

    /** An endpoint that accepts connections and never answers. */
    @Test
    void silentEndpoint_endsWithinAMinuteWithError() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread accepting = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:" + silent.getLocalPort());
            env.remove("AWS_MAX_ATTEMPTS");

            endsWithErrorWithin("silent endpoint", Duration.ofMinutes(1), "cannot reach AWS", "Read timeout");
            accepting.interrupt();
        }
    }

    @Test
    void missingCredentials_endFastWithError() {
        env.remove("AWS_ACCESS_KEY_ID");
        env.remove("AWS_SECRET_ACCESS_KEY");
        env.put("AWS_EC2_METADATA_DISABLED", "true");

        endsWithErrorWithin("missing credentials", Duration.ofSeconds(30), "no usable AWS credentials", "Unable to locate credentials");
    }

    @Test
    void migrate_whenAwsCannotBeReached_exits125WithResultError() throws Exception {
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:" + closedPort());

        Script migrate = Script.run("migrate.sh", env, "--task-definition", TASK_DEFINITION, "--cluster", "migrations");

        assertThat(migrate.exitCode()).as(migrate.output()).isEqualTo(125);
        assertThat(migrate.output()).contains("cannot reach AWS");
        assertThat(migrate.lastLine()).startsWith("result=error exit_code=125");
    }
}
