package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecsmigrate.contract.Contract;
import dev.ecsmigrate.local.LocalContext;
import dev.ecsmigrate.testing.MotoWorld;
import dev.ecsmigrate.testing.Template;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.AwsVpcConfiguration;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskField;
import software.amazon.awssdk.services.sqs.model.Message;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The real handler and the real SDK, over HTTP, against moto_server on 127.0.0.1. */
class MigrationHandlerIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MotoWorld world;

    @BeforeEach
    void setUp() {
        world = new MotoWorld();
    }

    @AfterEach
    void tearDown() {
        world.close();
    }

    private JsonNode invoke(MigrationHandler handler, byte[] event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, new LocalContext(line -> { }));
        return JSON.readTree(out.toByteArray());
    }

    private Task describe(String taskArn) {
        return world.ecs.describeTasks(r -> r.cluster(MotoWorld.CLUSTER).tasks(taskArn).include(TaskField.TAGS)).tasks().getFirst();
    }

    @Test
    void event_startsOneTaskWithStartedByOverridesNetworkAndTags() throws Exception {
        JsonNode status = invoke(Handlers.trigger(world.runnerEnvironment()),
                MotoWorld.trigger("evt-1", world.taskDefinitionArn, "gh-100-1"));

        assertThat(status.path("status").asText()).isEqualTo("STARTED");
        List<String> started = world.tasksStartedBy("gh-100-1");
        assertThat(started).containsExactly(status.path("task_arn").asText());
        Task task = describe(started.getFirst());
        assertThat(task.startedBy()).isEqualTo("gh-100-1");
        assertThat(task.group()).isEqualTo("migration:app");
        assertThat(task.taskDefinitionArn()).isEqualTo(world.taskDefinitionArn);
        assertThat(task.launchType()).isEqualTo(LaunchType.FARGATE);
        assertThat(task.overrides().containerOverrides()).singleElement().satisfies(o -> {
            assertThat(o.name()).isEqualTo("app");
            assertThat(o.command()).containsExactly("alembic", "upgrade", "head");
        });
        assertThat(task.attachments().getFirst().details()).anySatisfy(d -> {
            assertThat(d.name()).isEqualTo("subnetId");
            assertThat(d.value()).isEqualTo(world.subnet);
        });
        assertThat(task.tags()).extracting(t -> t.key() + "=" + t.value())
                .contains("ecs-migration:correlation-id=gh-100-1", "ecs-migration:event-id=evt-1");
    }

    @Test
    void sameEventDeliveredThreeTimes_startsOneTask() throws Exception {
        MigrationHandler handler = Handlers.trigger(world.runnerEnvironment());
        byte[] event = MotoWorld.trigger("evt-2", world.taskDefinitionArn, null);

        List<String> statuses = new ArrayList<>();
        for (int delivery = 0; delivery < 3; delivery++) {
            statuses.add(invoke(handler, event).path("status").asText());
        }

        assertThat(statuses).containsExactly("STARTED", "ALREADY_RUNNING", "ALREADY_RUNNING");
        assertThat(world.tasksStartedBy("evt-2")).hasSize(1);
        assertThat(world.ecs.listTasks(r -> r.cluster(MotoWorld.CLUSTER)).taskArns()).hasSize(1);
    }

    @Test
    void secondCorrelationIdWhileOneRuns_isAlreadyRunningWithTheFirstTask() throws Exception {
        MigrationHandler handler = Handlers.trigger(world.runnerEnvironment());
        JsonNode first = invoke(handler, MotoWorld.trigger("evt-3", world.taskDefinitionArn, "gh-1"));

        JsonNode second = invoke(handler, MotoWorld.trigger("evt-4", world.taskDefinitionArn, "gh-2"));

        assertThat(second.path("status").asText()).isEqualTo("ALREADY_RUNNING");
        assertThat(second.path("task_arn").asText()).isEqualTo(first.path("task_arn").asText());
        assertThat(second.path("started_by").asText()).isEqualTo("gh-1");
        assertThat(world.tasksStartedBy("gh-2")).isEmpty();
    }

    @Test
    void afterTheFirstMigrationStops_theNextOneStarts() throws Exception {
        MigrationHandler handler = Handlers.trigger(world.runnerEnvironment());
        JsonNode first = invoke(handler, MotoWorld.trigger("evt-5", world.taskDefinitionArn, "gh-5"));
        world.ecs.stopTask(r -> r.cluster(MotoWorld.CLUSTER).task(first.path("task_arn").asText()).reason("done"));

        JsonNode next = invoke(handler, MotoWorld.trigger("evt-6", world.taskDefinitionArn, "gh-6"));

        assertThat(next.path("status").asText()).isEqualTo("STARTED");
        assertThat(world.tasksStartedBy("gh-6")).hasSize(1);
    }

    @Test
    void statusEvent_reachesTheBus_andTheTriggerRuleDoesNotMatchIt() throws Exception {
        String statusQueue = world.queueFor("status", "{\"source\":[\"ecs.migration\"],\"detail-type\":[\"" + Contract.STATUS_DETAIL_TYPE + "\"]}");
        String triggerQueue = world.queueFor("trigger", JSON.writeValueAsString(Template.triggerPattern()));

        JsonNode returned = invoke(Handlers.trigger(world.runnerEnvironment()), MotoWorld.trigger("evt-7", world.taskDefinitionArn, "gh-7"));

        List<Message> delivered = world.sqs.receiveMessage(r -> r.queueUrl(statusQueue).maxNumberOfMessages(10).waitTimeSeconds(2)).messages();
        assertThat(delivered).hasSize(1);
        JsonNode envelope = JSON.readTree(delivered.getFirst().body());
        assertThat(envelope.path("source").asText()).isEqualTo("ecs.migration");
        assertThat(envelope.path("detail-type").asText()).isEqualTo("AWS ECS Migration Task Status");
        assertThat(envelope.path("detail")).isEqualTo(returned);
        assertThat(world.sqs.receiveMessage(r -> r.queueUrl(triggerQueue).waitTimeSeconds(1)).messages()).isEmpty();
    }

    @Test
    void networkAndCapacity_areCopiedFromTheService() throws Exception {
        world.ecs.createService(r -> r.cluster(MotoWorld.CLUSTER).serviceName("web").taskDefinition(world.taskDefinitionArn)
                .desiredCount(0).launchType(LaunchType.FARGATE).platformVersion("1.4.0")
                .networkConfiguration(n -> n.awsvpcConfiguration(AwsVpcConfiguration.builder()
                        .subnets(world.subnet).securityGroups(world.securityGroup).assignPublicIp(AssignPublicIp.ENABLED).build())));
        Map<String, String> env = world.runnerEnvironment();
        env.remove("SUBNETS");
        env.remove("SECURITY_GROUPS");
        env.put("NETWORK_FROM_SERVICE", "web");

        JsonNode dryRun = invoke(Handlers.trigger(env), dryRun("evt-8"));
        JsonNode started = invoke(Handlers.trigger(env), MotoWorld.trigger("evt-9", world.taskDefinitionArn, "gh-9"));

        assertThat(dryRun.path("reason").asText()).contains("launch type FARGATE (platform 1.4.0), subnets " + world.subnet,
                "security groups " + world.securityGroup, "public IP ENABLED");
        assertThat(started.path("status").asText()).isEqualTo("STARTED");
        Task task = describe(started.path("task_arn").asText());
        assertThat(task.launchType()).isEqualTo(LaunchType.FARGATE);
        assertThat(task.attachments().getFirst().details()).anySatisfy(d -> assertThat(d.value()).isEqualTo(world.subnet));
    }

    @Test
    void dryRun_startsNothing() throws Exception {
        JsonNode status = invoke(Handlers.trigger(world.runnerEnvironment()), dryRun("evt-10"));

        assertThat(status.path("status").asText()).isEqualTo("DRY_RUN");
        assertThat(world.ecs.listTasks(r -> r.cluster(MotoWorld.CLUSTER)).taskArns()).isEmpty();
    }

    /**
     * Every status counts in the metrics the alarms and dashboards read, by cluster and family: started, already
     * running, rejected, failed to start, and a lock taken over from a run whose task stopped.
     */
    @Test
    void everyStatus_isCountedInTheMetrics_byClusterAndFamily() throws Exception {
        List<String> metrics = new ArrayList<>();
        dev.ecsmigrate.metrics.Metrics recorder = (cluster, family, values) -> values.forEach((metric, value) ->
                metrics.add(metric.metricName() + "=" + value + " " + cluster + "/" + family));
        MigrationHandler handler = Handlers.trigger(world.runnerEnvironment(), recorder);

        JsonNode first = invoke(handler, MotoWorld.trigger("evt-m1", world.taskDefinitionArn, "gh-m1"));
        invoke(handler, MotoWorld.trigger("evt-m2", world.taskDefinitionArn, "gh-m2"));
        invoke(handler, MotoWorld.trigger("evt-m3", world.taskDefinitionArn.replace("task-definition/app:", "task-definition/billing:"),
                "gh-m3"));
        world.ecs.stopTask(r -> r.cluster(MotoWorld.CLUSTER).task(first.path("task_arn").asText()).reason("done"));
        invoke(handler, MotoWorld.trigger("evt-m4", world.taskDefinitionArn, "gh-m4"));
        world.ecs.listTasks(r -> r.cluster(MotoWorld.CLUSTER)).taskArns()
                .forEach(task -> world.ecs.stopTask(r -> r.cluster(MotoWorld.CLUSTER).task(task).reason("done")));
        invoke(handler, MotoWorld.trigger("evt-m5", "arn:aws:ecs:us-east-1:123456789012:task-definition/app:99", "gh-m5"));

        assertThat(metrics).containsExactly(
                "MigrationsStarted=1 migrations/app",
                "MigrationsAlreadyRunning=1 migrations/app",
                "MigrationsRejected=1 migrations/billing",
                "MigrationsStarted=1 migrations/app", "LockTakeovers=1 migrations/app",
                // ECS refused this one after it took over the stopped run's lock: both count.
                "MigrationsFailedToStart=1 migrations/app", "LockTakeovers=1 migrations/app");
    }

    @Test
    void unregisteredTaskDefinition_isFailedWithEcsReason() throws Exception {
        String missing = "arn:aws:ecs:us-east-1:123456789012:task-definition/app:99";

        JsonNode status = invoke(Handlers.trigger(world.runnerEnvironment()), MotoWorld.trigger("evt-11", missing, "gh-11"));

        assertThat(status.path("status").asText()).isEqualTo("FAILED");
        assertThat(status.path("reason").asText()).startsWith("ECS RunTask refused: ClientException");
        assertThat(world.ecs.listTasks(r -> r.cluster(MotoWorld.CLUSTER)).taskArns()).isEmpty();
    }

    @Test
    void brokenConfiguration_publishesRejectedWithTheProblem() throws Exception {
        String statusQueue = world.queueFor("status", "{\"detail-type\":[\"" + Contract.STATUS_DETAIL_TYPE + "\"]}");
        Map<String, String> env = world.runnerEnvironment();
        env.remove("CLUSTER");

        JsonNode status = invoke(Handlers.trigger(env), MotoWorld.trigger("evt-12", world.taskDefinitionArn, "gh-12"));

        assertThat(status.path("status").asText()).isEqualTo("REJECTED");
        assertThat(status.path("reason").asText()).contains("CLUSTER is not set");
        List<Message> delivered = world.sqs.receiveMessage(r -> r.queueUrl(statusQueue).waitTimeSeconds(2)).messages();
        assertThat(delivered).hasSize(1);
        assertThat(JSON.readTree(delivered.getFirst().body()).path("detail").path("correlation_id").asText()).isEqualTo("gh-12");
    }

    private byte[] dryRun(String eventId) {
        return new String(MotoWorld.trigger(eventId, world.taskDefinitionArn, "gh-dry"), java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"correlation_id\":\"gh-dry\"", "\"correlation_id\":\"gh-dry\",\"dry_run\":true")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

}
