package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecsmigrate.local.LocalContext;
import dev.ecsmigrate.testing.ActionRunner;
import dev.ecsmigrate.testing.MotoWorld;
import dev.ecsmigrate.testing.RunTable;
import dev.ecsmigrate.testing.Script;
import dev.ecsmigrate.testing.Template;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.sqs.model.Message;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The GitHub Action, run the way the runner runs a composite action (ActionRunner), with the real aws CLI
 * against moto_server; the test plays EventBridge's target and Lambda: it takes the event the rule
 * delivered and gives it to the real handler.
 */
class ActionIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MotoWorld world;
    private Map<String, String> env;
    private String queue;

    @BeforeEach
    void setUp() throws Exception {
        world = new MotoWorld();
        env = Script.baseEnvironment();
        env.put("AWS_ENDPOINT_URL", world.moto.endpoint().toString());
        env.put("GITHUB_RUN_ID", "7301122334");
        env.put("GITHUB_RUN_ATTEMPT", "3");
        queue = world.sqs.createQueue(r -> r.queueName("runner")).queueUrl();
        String arn = world.sqs.getQueueAttributes(r -> r.queueUrl(queue).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings().get("QueueArn");
        world.events.putRule(r -> r.name("trigger").eventPattern(JSON.valueToTree(Template.triggerPattern()).toString()));
        world.events.putTargets(r -> r.rule("trigger").targets(t -> t.id("runner").arn(arn)));
    }

    @AfterEach
    void tearDown() {
        world.close();
    }

    /** Lambda's part: the event the rule delivered, handled by the real function. */
    private JsonNode deliver() throws Exception {
        for (int attempt = 0; attempt < 30; attempt++) {
            List<Message> messages = world.sqs.receiveMessage(r -> r.queueUrl(queue).waitTimeSeconds(1)).messages();
            if (!messages.isEmpty()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Handlers.trigger(world.runnerEnvironment()).handleRequest(
                        new ByteArrayInputStream(messages.getFirst().body().getBytes(StandardCharsets.UTF_8)), out, new LocalContext(line -> { }));
                return JSON.readTree(out.toByteArray());
            }
        }
        throw new AssertionError("the rule delivered no event");
    }

    @Test
    void migration_thatSucceeds_setsEveryOutput_andTheSummary(@TempDir Path work) throws Exception {
        ActionRunner.Started step = ActionRunner.start(Map.of("task-definition", "app", "cluster", MotoWorld.CLUSTER,
                "table", RunTable.NAME, "interval", "1", "logs", "false"), env, work);
        JsonNode status = deliver();
        String task = status.path("task_arn").asText();
        step.script().awaitLine("-> RUNNING", Duration.ofSeconds(30));
        world.ecs.stopTask(r -> r.cluster(MotoWorld.CLUSTER).task(task).reason("Essential container in task exited"));

        ActionRunner.Run run = step.finish(Duration.ofSeconds(120));

        assertThat(run.script().exitCode()).as(run.script().output()).isZero();
        assertThat(run.outputs()).containsExactlyInAnyOrderEntriesOf(Map.of("result", "succeeded", "exit-code", "0", "task-arn", task,
                "correlation-id", "gh-7301122334-3"));
        assertThat(run.summaryText()).contains("### Migration succeeded", "`gh-7301122334-3`");
        assertThat(run.script().output()).doesNotContain("::error");
    }

    @Test
    void migration_thatTheRunnerRejects_failsTheStepAtOnce_withItsReason(@TempDir Path work) throws Exception {
        ActionRunner.Started step = ActionRunner.start(Map.of(
                "task-definition", "arn:aws:ecs:us-east-1:123456789012:task-definition/billing:7", "cluster", MotoWorld.CLUSTER,
                "table", RunTable.NAME, "interval", "1", "start-timeout", "120", "correlation-id", "release-42"), env, work);
        deliver();

        ActionRunner.Run run = step.finish(Duration.ofSeconds(60));

        assertThat(run.script().exitCode()).as(run.script().output()).isEqualTo(125);
        assertThat(run.outputs()).containsEntry("result", "not_started").containsEntry("exit-code", "125")
                .containsEntry("correlation-id", "release-42").containsEntry("task-arn", "");
        assertThat(run.script().output()).contains("::error title=Migration not_started::the runner reported REJECTED for release-42:",
                "family 'billing' is not allowed");
    }

    @Test
    void dryRun_setsResultDryRun(@TempDir Path work) throws Exception {
        ActionRunner.Started step = ActionRunner.start(Map.of("task-definition", world.taskDefinitionArn, "cluster", MotoWorld.CLUSTER,
                "table", RunTable.NAME, "dry-run", "true"), env, work);
        JsonNode status = deliver();

        ActionRunner.Run run = step.finish(Duration.ofSeconds(60));

        assertThat(status.path("status").asText()).isEqualTo("DRY_RUN");
        assertThat(run.script().exitCode()).as(run.script().output()).isZero();
        assertThat(run.outputs()).containsEntry("result", "dry_run").containsEntry("exit-code", "0");
    }

    @Test
    void badInput_isAUsageError_beforeAnythingIsSent(@TempDir Path work) {
        ActionRunner.Run run = ActionRunner.start(Map.of("task-definition", "app", "cluster", MotoWorld.CLUSTER, "timeout", "soon"),
                env, work).finish(Duration.ofSeconds(60));

        assertThat(run.script().exitCode()).isEqualTo(2);
        assertThat(run.outputs()).containsEntry("result", "usage_error").containsEntry("exit-code", "2");
        assertThat(run.script().output()).contains("migrate.sh: --timeout must be a positive number of seconds, got 'soon'");
        assertThat(world.sqs.receiveMessage(r -> r.queueUrl(queue).waitTimeSeconds(1)).messages()).as("nothing was sent").isEmpty();
    }

    /**
     * A cancelled job: the runner sends SIGINT to the step's process, SIGTERM 7.5 s later and SIGKILL 2.5 s
     * after that (actions/runner ProcessInvoker). The step execs the scripts, so the waiter is that process:
     * it stops the task within the ten seconds and reports result=interrupted.
     */
    @Test
    void cancelledJob_stopsTheTask_withinTheRunnersGrace(@TempDir Path work) throws Exception {
        ActionRunner.Started step = ActionRunner.start(Map.of("task-definition", "app", "cluster", MotoWorld.CLUSTER,
                "table", RunTable.NAME, "interval", "2", "logs", "false"), env, work);
        String task = deliver().path("task_arn").asText();
        step.script().awaitLine("-> RUNNING", Duration.ofSeconds(30));

        long cancelled = System.nanoTime();
        step.script().signal("INT");
        for (int waited = 0; waited < 75 && step.script().alive(); waited++) {
            Thread.sleep(100);
        }
        if (step.script().alive()) {
            step.script().signal("TERM");
            Thread.sleep(2_500);
            step.script().signal("KILL");
        }
        ActionRunner.Run run = step.finish(Duration.ofSeconds(30));
        Duration took = Duration.ofNanos(System.nanoTime() - cancelled);

        assertThat(took).as("ended before the runner's SIGTERM").isLessThan(Duration.ofMillis(7_500));
        assertThat(run.script().exitCode()).as(run.script().output()).isEqualTo(130);
        assertThat(run.outputs()).containsEntry("result", "interrupted").containsEntry("task-arn", task);
        Task stopped = world.ecs.describeTasks(r -> r.cluster(MotoWorld.CLUSTER).tasks(task)).tasks().getFirst();
        assertThat(stopped.desiredStatus()).isEqualTo("STOPPED");
        assertThat(stopped.stoppedReason()).contains("interrupted", "gh-7301122334-3");
        System.out.println("cancelled job: task stopped and step ended " + took.toMillis() + " ms after SIGINT");
    }

    @Test
    void cancelledJob_withStopOnCancelFalse_leavesTheTaskRunning(@TempDir Path work) throws Exception {
        ActionRunner.Started step = ActionRunner.start(Map.of("task-definition", "app", "cluster", MotoWorld.CLUSTER,
                "table", RunTable.NAME, "interval", "2", "logs", "false", "stop-on-cancel", "false"), env, work);
        String task = deliver().path("task_arn").asText();
        step.script().awaitLine("-> RUNNING", Duration.ofSeconds(30));

        step.script().signal("INT");
        ActionRunner.Run run = step.finish(Duration.ofSeconds(30));

        assertThat(run.script().exitCode()).isEqualTo(130);
        assertThat(run.script().output()).contains("leaving task " + task + " running");
        assertThat(world.ecs.describeTasks(r -> r.cluster(MotoWorld.CLUSTER).tasks(task)).tasks().getFirst().desiredStatus()).isEqualTo("RUNNING");
    }
}
