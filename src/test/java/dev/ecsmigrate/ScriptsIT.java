package dev.ecsmigrate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecsmigrate.local.LocalContext;
import dev.ecsmigrate.testing.MotoWorld;
import dev.ecsmigrate.testing.RunTable;
import dev.ecsmigrate.testing.Script;
import dev.ecsmigrate.testing.Template;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.sqs.model.Message;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline scripts with the real aws CLI against moto_server: put → rule → function → wait.
 * The test plays Lambda: it takes the event the rule delivered and hands it to the real handler.
 */
class ScriptsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MotoWorld world;
    private Map<String, String> env;

    @BeforeEach
    void setUp() {
        world = new MotoWorld();
        env = Script.baseEnvironment();
        env.put("AWS_ENDPOINT_URL", world.moto.endpoint().toString());
    }

    @AfterEach
    void tearDown() {
        world.close();
    }

    @Test
    void migrate_putsTheEvent_functionStartsTask_waiterStreamsLogsAndPassesExitCode() throws Exception {
        String queue = triggerQueue();
        Script migrate = Script.start("migrate.sh", env, "--task-definition", "app", "--cluster", MotoWorld.CLUSTER,
                "--correlation-id", "gh-42-1", "--interval", "1");

        Message delivered = receive(queue);
        String status = invokeFunction(delivered.body());
        assertThat(status).contains("\"status\":\"STARTED\"");
        String taskArn = world.tasksStartedBy("gh-42-1").getFirst();
        writeContainerLogs(taskArn, "INFO  [alembic.runtime.migration] Running upgrade 1a2b -> 3c4d, add orders");
        migrate.awaitLine("-> RUNNING", Duration.ofSeconds(30));
        migrate.awaitLine("[app] INFO  [alembic.runtime.migration] Running upgrade 1a2b -> 3c4d", Duration.ofSeconds(30));
        world.ecs.stopTask(r -> r.cluster(MotoWorld.CLUSTER).task(taskArn).reason("Essential container in task exited"));

        assertThat(migrate.exitCode()).as(migrate.output()).isZero();
        assertThat(migrate.output()).contains("correlation_id=gh-42-1 event_id=", "task_definition=" + world.taskDefinitionArn,
                "logs: /ecs/app ecs/app/" + taskArn.substring(taskArn.lastIndexOf('/') + 1), "-> STOPPED", "console: https://us-east-1.console");
        assertThat(migrate.lastLine()).isEqualTo("result=succeeded exit_code=0 task_arn=" + taskArn + " stop_code=none correlation_id=gh-42-1");
    }

    @Test
    void put_resolvesFamilyToLatestActiveRevision_andTheRuleDeliversTheContractEvent() throws Exception {
        String queue = triggerQueue();
        String second = world.registerTaskDefinition(MotoWorld.FAMILY);

        Script put = Script.run("put-migration-event.sh", env, "--task-definition", "app", "--correlation-id", "gh-7/2", "--dry-run");

        assertThat(put.exitCode()).as(put.output()).isZero();
        assertThat(put.lastLine()).startsWith("correlation_id=gh-7/2 event_id=").endsWith("task_definition=" + second);
        var event = JSON.readTree(receive(queue).body());
        assertThat(event.path("source").asText()).isEqualTo("ecs.migration");
        assertThat(event.path("detail-type").asText()).isEqualTo("AWS ECS Migration Task");
        assertThat(event.path("detail").toString())
                .isEqualTo("{\"taskdef_arn\":\"" + second + "\",\"correlation_id\":\"gh-7/2\",\"dry_run\":true}");
        assertThat(invokeFunction(event.toString())).contains("\"status\":\"DRY_RUN\"");
    }

    @Test
    void put_underGithubActions_derivesCorrelationIdFromTheRun() {
        env.put("GITHUB_RUN_ID", "7301122334");
        env.put("GITHUB_RUN_ATTEMPT", "2");

        Script put = Script.run("put-migration-event.sh", env, "--task-definition", "app:1");

        assertThat(put.exitCode()).as(put.output()).isZero();
        assertThat(put.lastLine()).startsWith("correlation_id=gh-7301122334-2 ");
    }

    /**
     * CodeBuild: the README's buildspec (examples/buildspec.yml) migrate command, run as written with the
     * variables CodeBuild sets and the buildspec's own, and no GITHUB_*: the run is named after the build,
     * the migration's exit code fails the build, and no GitHub workflow command or output file appears.
     */
    @Test
    void migrate_underCodeBuild_theBuildspecsCommand_namesTheRunAfterTheBuild(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String queue = triggerQueue();
        deployFunction("migrations-migration-runner");
        var buildspec = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(
                java.nio.file.Path.of("examples/buildspec.yml").toFile());
        assertThat(buildspec.path("env").path("shell").asText()).isEqualTo("bash");
        String command = buildspec.path("phases").path("build").path("commands").valueStream().map(c -> c.asText())
                .filter(c -> c.contains("scripts/migrate.sh")).findFirst().orElseThrow(() -> new AssertionError("no migrate.sh in the buildspec"));
        Map<String, String> codeBuild = new java.util.HashMap<>(env);
        buildspec.path("env").path("variables").forEachEntry((name, value) -> codeBuild.put(name, value.asText()));
        codeBuild.put("ECS_CLUSTER", MotoWorld.CLUSTER);
        codeBuild.put("TASK_DEFINITION_ARN", world.taskDefinitionArn);
        codeBuild.put("CODEBUILD_BUILD_ID", "app-deploy:2f0c5c1e-8a4b-4d6e-9f1a-3b5c7d9e1f20");
        codeBuild.put("CODEBUILD_BUILD_ARN", "arn:aws:codebuild:us-east-1:123456789012:build/app-deploy:2f0c5c1e-8a4b-4d6e-9f1a-3b5c7d9e1f20");
        codeBuild.put("CODEBUILD_BUILD_NUMBER", "17");
        codeBuild.put("CODEBUILD_INITIATOR", "codepipeline/app");
        codeBuild.put("CODEBUILD_RESOLVED_SOURCE_VERSION", "4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e");
        codeBuild.put("CODEBUILD_SRC_DIR", dir.toString());
        codeBuild.put("CODEBUILD_CI", "true");
        assertThat(codeBuild.keySet()).noneMatch(name -> name.startsWith("GITHUB_"));
        String runner = java.nio.file.Path.of("").toAbsolutePath().toString();

        Script build = Script.startCommand(List.of("bash", "-c", command.replace("/tmp/runner", runner)), codeBuild);
        String status = invokeFunction(receive(queue).body());
        assertThat(status).contains("\"status\":\"STARTED\"", "\"correlation_id\":\"cb-2f0c5c1e8a4b4d6e9f1a3b5c7d9e1f20\"");
        String taskArn = world.tasksStartedBy("cb-2f0c5c1e8a4b4d6e9f1a3b5c7d9e1f20").getFirst();
        build.awaitLine("-> RUNNING", Duration.ofSeconds(30));
        world.ecs.stopTask(r -> r.cluster(MotoWorld.CLUSTER).task(taskArn).reason("Essential container in task exited"));

        assertThat(build.exitCode()).as(build.output()).isZero();
        assertThat(build.lastLine()).isEqualTo("result=succeeded exit_code=0 task_arn=" + taskArn
                + " stop_code=none correlation_id=cb-2f0c5c1e8a4b4d6e9f1a3b5c7d9e1f20");
        assertThat(build.output()).doesNotContain("::error", "::stop-commands", "::notice");
        try (var files = java.nio.file.Files.list(dir)) {
            assertThat(files).as("no GitHub output or summary file").isEmpty();
        }
    }

    @Test
    void put_whenRevisionDoesNotExist_explainsAndExits1() {
        Script put = Script.run("put-migration-event.sh", env, "--task-definition", "app:99");

        assertThat(put.exitCode()).isEqualTo(1);
        assertThat(put.output()).contains("cannot resolve task definition app:99", "list-task-definitions");
    }

    @Test
    void wait_findsATaskThatStoppedBeforeTheFirstPoll() {
        String taskArn = runTask("gh-fast");
        world.ecs.stopTask(r -> r.cluster(MotoWorld.CLUSTER).task(taskArn).reason("done"));

        Script wait = Script.run("wait-for-migration.sh", env, "--cluster", MotoWorld.CLUSTER, "--correlation-id", "gh-fast",
                "--interval", "1", "--no-logs");

        assertThat(wait.exitCode()).as(wait.output()).isZero();
        assertThat(wait.lastLine()).startsWith("result=succeeded exit_code=0 task_arn=" + taskArn);
    }

    @Test
    void wait_whenRunnerRejected_reportsItsReasonWithoutWaitingForTheStartTimeout() throws Exception {
        invokeFunction(new String(MotoWorld.trigger("evt-rej", "arn:aws:ecs:us-east-1:123456789012:task-definition/billing:1", "gh-rej"),
                StandardCharsets.UTF_8));

        long started = System.nanoTime();
        Script wait = Script.run("wait-for-migration.sh", env, "--cluster", MotoWorld.CLUSTER, "--correlation-id", "gh-rej",
                "--table", RunTable.NAME, "--interval", "1", "--start-timeout", "60");

        assertThat(wait.exitCode()).as(wait.output()).isEqualTo(125);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        assertThat(wait.output()).contains("the runner reported REJECTED for gh-rej: task-definition family 'billing' is not allowed");
        assertThat(wait.lastLine()).isEqualTo("result=not_started exit_code=125 task_arn=none stop_code=none correlation_id=gh-rej");
    }

    @Test
    void wait_whenAnotherMigrationRuns_namesItsTask_findingTheTableThroughTheFunction() throws Exception {
        String first = invokeFunction(new String(MotoWorld.trigger("evt-first", world.taskDefinitionArn, "gh-first"), StandardCharsets.UTF_8));
        String firstTask = JSON.readTree(first).path("task_arn").asText();
        invokeFunction(new String(MotoWorld.trigger("evt-second", world.taskDefinitionArn, "gh-second"), StandardCharsets.UTF_8));
        deployFunction("migration-runner");

        Script wait = Script.run("wait-for-migration.sh", env, "--cluster", MotoWorld.CLUSTER, "--correlation-id", "gh-second",
                "--function-name", "migration-runner", "--interval", "1", "--start-timeout", "20");

        assertThat(wait.exitCode()).as(wait.output()).isEqualTo(125);
        assertThat(wait.output()).contains("the runner reported ALREADY_RUNNING", "correlation id gh-first", "running task: " + firstTask);
    }

    /** The run's record names its task, so the waiter follows it even before ListTasks shows it. */
    @Test
    void wait_withTheTable_followsTheTaskTheRecordNames() throws Exception {
        String status = invokeFunction(new String(MotoWorld.trigger("evt-rec", world.taskDefinitionArn, "gh-rec"), StandardCharsets.UTF_8));
        String taskArn = JSON.readTree(status).path("task_arn").asText();
        world.ecs.stopTask(r -> r.cluster(MotoWorld.CLUSTER).task(taskArn).reason("done"));

        Script wait = Script.run("wait-for-migration.sh", env, "--cluster", MotoWorld.CLUSTER, "--correlation-id", "gh-rec",
                "--table", RunTable.NAME, "--interval", "1", "--no-logs");

        assertThat(wait.exitCode()).as(wait.output()).isZero();
        assertThat(wait.lastLine()).startsWith("result=succeeded exit_code=0 task_arn=" + taskArn);
    }

    @Test
    void wait_whenNoTaskAppears_exits125AfterTheStartTimeoutWithAHint() {
        Script wait = Script.run("wait-for-migration.sh", env, "--cluster", MotoWorld.CLUSTER, "--correlation-id", "gh-none",
                "--interval", "1", "--start-timeout", "2");

        assertThat(wait.exitCode()).isEqualTo(125);
        assertThat(wait.output()).contains("no task with startedBy=gh-none appeared on cluster migrations within 2s", "--function-name");
    }

    @Test
    void wait_onTimeout_stopsTheTaskAndExits124_withHeartbeats() {
        String taskArn = runTask("gh-slow");
        env.put("MIGRATION_HEARTBEAT", "1");

        Script wait = Script.run("wait-for-migration.sh", env, "--cluster", MotoWorld.CLUSTER, "--correlation-id", "gh-slow",
                "--interval", "1", "--timeout", "15", "--no-logs");

        // 15 s leaves room for heartbeats after RUNNING even when each aws CLI call takes seconds (a loaded machine).
        assertThat(wait.exitCode()).as(wait.output()).isEqualTo(124);
        assertThat(wait.output()).contains("still RUNNING", "stopped task " + taskArn + ": timed out after 15s");
        assertThat(wait.lastLine()).startsWith("result=timeout exit_code=124 task_arn=" + taskArn);
        Task task = world.ecs.describeTasks(r -> r.cluster(MotoWorld.CLUSTER).tasks(taskArn)).tasks().getFirst();
        assertThat(task.desiredStatus()).isEqualTo(DesiredStatus.STOPPED.toString());
        assertThat(task.stoppedReason()).contains("timed out", "gh-slow");
    }

    @Test
    void wait_onTimeoutWithNoStop_leavesTheTaskRunning() {
        String taskArn = runTask("gh-keep");

        Script wait = Script.run("wait-for-migration.sh", env, "--cluster", MotoWorld.CLUSTER, "--correlation-id", "gh-keep",
                "--interval", "1", "--timeout", "2", "--no-logs", "--no-stop");

        assertThat(wait.exitCode()).isEqualTo(124);
        assertThat(world.ecs.listTasks(r -> r.cluster(MotoWorld.CLUSTER).desiredStatus(DesiredStatus.RUNNING)).taskArns()).contains(taskArn);
    }

    @Test
    void wait_onSigterm_stopsTheTaskAndExits130() {
        String taskArn = runTask("gh-cancel");
        Script wait = Script.start("wait-for-migration.sh", env, "--cluster", MotoWorld.CLUSTER, "--correlation-id", "gh-cancel",
                "--interval", "2", "--no-logs");
        wait.awaitLine("-> RUNNING", Duration.ofSeconds(30));

        wait.terminate();

        assertThat(wait.exitCode()).as(wait.output()).isEqualTo(130);
        assertThat(wait.lastLine()).startsWith("result=interrupted exit_code=130 task_arn=" + taskArn);
        Task task = world.ecs.describeTasks(r -> r.cluster(MotoWorld.CLUSTER).tasks(taskArn)).tasks().getFirst();
        assertThat(task.desiredStatus()).isEqualTo("STOPPED");
        assertThat(task.stoppedReason()).contains("interrupted", "gh-cancel");
    }

    @Test
    void usageErrors_exit2BeforeAnyCall() {
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
        List<Script> runs = new ArrayList<>();
        runs.add(Script.run("migrate.sh", env, "--task-definition", "app"));
        runs.add(Script.run("migrate.sh", env, "--task-definition", "app", "--cluster", "c", "--timeout", "soon"));
        runs.add(Script.run("migrate.sh", env, "--task-definition", "app", "--cluster", "c", "--correlation-id", "has space"));
        runs.add(Script.run("migrate.sh", env, "--cluster", "c", "--tiemout", "5"));
        runs.add(Script.run("migrate.sh", env, "--task-definition", "not an arn", "--cluster", "c"));
        runs.add(Script.run("put-migration-event.sh", env));
        runs.add(Script.run("put-migration-event.sh", env, "--task-definition", "arn:aws:ecs:x"));
        runs.add(Script.run("put-migration-event.sh", env, "--task-definition", "app", "--event-bus", "bad\"bus"));
        runs.add(Script.run("wait-for-migration.sh", env, "--cluster", "c"));
        runs.add(Script.run("wait-for-migration.sh", env, "--cluster", "c", "--correlation-id", "x", "--interval", "0"));

        assertThat(runs).allSatisfy(run -> {
            assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
            assertThat(run.output()).contains("--help").doesNotContain("An error occurred", "Could not connect");
        });
        assertThat(runs.get(0).output()).contains("--cluster is required");
        assertThat(runs.get(3).output()).contains("unknown argument '--tiemout'");
    }

    private String triggerQueue() throws Exception {
        String queue = world.sqs.createQueue(r -> r.queueName("runner")).queueUrl();
        String arn = world.sqs.getQueueAttributes(r -> r.queueUrl(queue).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings().get("QueueArn");
        String pattern = JSON.writeValueAsString(Template.triggerPattern());
        world.events.putRule(r -> r.name("trigger").eventPattern(pattern));
        world.events.putTargets(r -> r.rule("trigger").targets(t -> t.id("runner").arn(arn)));
        return queue;
    }

    private Message receive(String queue) {
        for (int attempt = 0; attempt < 30; attempt++) {
            List<Message> messages = world.sqs.receiveMessage(r -> r.queueUrl(queue).waitTimeSeconds(1)).messages();
            if (!messages.isEmpty()) {
                return messages.getFirst();
            }
        }
        throw new AssertionError("the rule delivered no event to the queue");
    }

    private String invokeFunction(String event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Handlers.trigger(world.runnerEnvironment()).handleRequest(
                new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, new LocalContext(line -> { }));
        return out.toString(StandardCharsets.UTF_8);
    }

    private String runTask(String correlationId) {
        return world.ecs.runTask(r -> r.cluster(MotoWorld.CLUSTER).taskDefinition(world.taskDefinitionArn).startedBy(correlationId)
                .launchType("FARGATE").group("migration:app")
                .networkConfiguration(n -> n.awsvpcConfiguration(v -> v.subnets(world.subnet).securityGroups(world.securityGroup)))).tasks().getFirst().taskArn();
    }

    /** What the awslogs driver would write for the migration container. */
    private void writeContainerLogs(String taskArn, String... messages) {
        String stream = "ecs/app/" + taskArn.substring(taskArn.lastIndexOf('/') + 1);
        aws("logs", "create-log-group", "--log-group-name", MotoWorld.LOG_GROUP);
        aws("logs", "create-log-stream", "--log-group-name", MotoWorld.LOG_GROUP, "--log-stream-name", stream);
        putLogEvents(MotoWorld.LOG_GROUP, stream, messages);
    }

    /** The runner as moto knows it: a function whose configuration names the table (moto never runs it). */
    private void deployFunction(String name) throws IOException {
        java.nio.file.Path zip = java.nio.file.Files.createTempFile("function", ".zip");
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(zip))) {
            out.putNextEntry(new java.util.zip.ZipEntry("placeholder.txt"));
            out.write("the runner's code is not needed here".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        aws("iam", "create-role", "--role-name", "runner", "--assume-role-policy-document",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}");
        aws("lambda", "create-function", "--function-name", name, "--runtime", "java21", "--handler", Template.handler(),
                "--role", "arn:aws:iam::123456789012:role/runner", "--zip-file", "fileb://" + zip,
                "--environment", "Variables={TABLE_NAME=" + RunTable.NAME + "}");
    }

    private void putLogEvents(String group, String stream, String... messages) {
        try {
            StringBuilder events = new StringBuilder("[");
            long now = System.currentTimeMillis();
            for (String message : messages) {
                events.append(events.length() > 1 ? "," : "").append(JSON.createObjectNode().put("timestamp", now).put("message", message));
            }
            java.nio.file.Path file = java.nio.file.Files.createTempFile("log-events", ".json");
            java.nio.file.Files.writeString(file, events.append("]").toString());
            aws("logs", "put-log-events", "--log-group-name", group, "--log-stream-name", stream, "--log-events", "file://" + file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void aws(String... args) {
        List<String> command = new ArrayList<>(List.of("aws"));
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().putAll(env);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0 && !output.contains("AlreadyExists")) {
                throw new AssertionError("aws " + String.join(" ", args) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
