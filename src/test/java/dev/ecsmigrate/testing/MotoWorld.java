package dev.ecsmigrate.testing;

import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.LogConfiguration;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fresh moto account laid out like a real one: a cluster, a task definition, the default VPC's
 * subnet and security group. Tests talk to it with the real SDK over HTTP.
 */
public final class MotoWorld implements AutoCloseable {

    public static final String CLUSTER = "migrations";
    public static final String FAMILY = "app";
    public static final String LOG_GROUP = "/ecs/app";

    public final MotoServer moto = MotoServer.get();
    public final SdkHttpClient http = UrlConnectionHttpClient.create();
    public final EcsClient ecs = EcsClient.builder().httpClient(http).region(Region.US_EAST_1)
            .credentialsProvider(MotoServer.CREDENTIALS).endpointOverride(moto.endpoint()).build();
    public final EventBridgeClient events = EventBridgeClient.builder().httpClient(http).region(Region.US_EAST_1)
            .credentialsProvider(MotoServer.CREDENTIALS).endpointOverride(moto.endpoint()).build();
    public final SqsClient sqs = SqsClient.builder().httpClient(http).region(Region.US_EAST_1)
            .credentialsProvider(MotoServer.CREDENTIALS).endpointOverride(moto.endpoint()).build();
    public final RunTable table;
    public final String subnet;
    public final String securityGroup;
    public final String taskDefinitionArn;

    public MotoWorld() {
        moto.reset();
        moto.tasksStayRunning();
        try (Ec2Client ec2 = Ec2Client.builder().httpClient(http).region(Region.US_EAST_1)
                .credentialsProvider(MotoServer.CREDENTIALS).endpointOverride(moto.endpoint()).build()) {
            String vpc = ec2.describeVpcs(r -> r.filters(f -> f.name("is-default").values("true"))).vpcs().getFirst().vpcId();
            subnet = ec2.describeSubnets(r -> r.filters(f -> f.name("vpc-id").values(vpc))).subnets().getFirst().subnetId();
            securityGroup = ec2.describeSecurityGroups(r -> r.filters(f -> f.name("vpc-id").values(vpc), f -> f.name("group-name").values("default")))
                    .securityGroups().getFirst().groupId();
        }
        ecs.createCluster(r -> r.clusterName(CLUSTER));
        table = new RunTable(moto.endpoint()).create();
        taskDefinitionArn = registerTaskDefinition(FAMILY);
    }

    public String registerTaskDefinition(String family) {
        return ecs.registerTaskDefinition(r -> r.family(family)
                .networkMode(NetworkMode.AWSVPC)
                .requiresCompatibilities(Compatibility.FARGATE)
                .cpu("256").memory("512")
                .executionRoleArn("arn:aws:iam::123456789012:role/app-execution")
                .containerDefinitions(
                        ContainerDefinition.builder().name("app").image("app:latest").essential(true).memory(512)
                                .command("bin/serve")
                                .logConfiguration(LogConfiguration.builder().logDriver("awslogs").options(Map.of(
                                        "awslogs-group", LOG_GROUP, "awslogs-region", "us-east-1", "awslogs-stream-prefix", "ecs")).build())
                                .build(),
                        ContainerDefinition.builder().name("log-router").image("fluent-bit").essential(false).memory(64).build()))
                .taskDefinition().taskDefinitionArn();
    }

    /** The runner's environment as template.yaml sets it, pointed at moto. */
    public Map<String, String> runnerEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", "us-east-1");
        env.put("ACCOUNT_ID", "123456789012");
        env.put("CLUSTER", CLUSTER);
        env.put("SUBNETS", subnet);
        env.put("SECURITY_GROUPS", securityGroup);
        env.put("CONTAINER_NAME", "app");
        env.put("MIGRATION_COMMAND", "[\"alembic\",\"upgrade\",\"head\"]");
        env.put("ALLOWED_FAMILIES", FAMILY);
        env.put("TABLE_NAME", RunTable.NAME);
        env.put("AWS_ENDPOINT_URL", moto.endpoint().toString());
        return env;
    }

    /** A trigger event as EventBridge delivers it. */
    public static byte[] trigger(String eventId, String taskDefinitionArn, String correlationId) {
        String detail = "{\"taskdef_arn\":\"" + taskDefinitionArn + "\""
                + (correlationId == null ? "" : ",\"correlation_id\":\"" + correlationId + "\"") + "}";
        return ("{\"version\":\"0\",\"id\":\"" + eventId + "\",\"detail-type\":\"AWS ECS Migration Task\",\"source\":\"ecs.migration\","
                + "\"account\":\"123456789012\",\"time\":\"2026-11-22T17:00:00Z\",\"region\":\"us-east-1\",\"resources\":[],"
                + "\"detail\":" + detail + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A queue that receives what a rule with this pattern matches on the default bus: events read back over the wire. */
    public String queueFor(String rule, String pattern) {
        String queueUrl = sqs.createQueue(r -> r.queueName(rule)).queueUrl();
        String queueArn = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings().get("QueueArn");
        events.putRule(r -> r.name(rule).eventPattern(pattern));
        events.putTargets(r -> r.rule(rule).targets(t -> t.id("queue").arn(queueArn)));
        return queueUrl;
    }

    /** The events a queue of {@link #queueFor} received, taken off it: up to {@code expected}, within a few seconds. */
    public List<String> received(String queueUrl, int expected) {
        List<String> bodies = new java.util.ArrayList<>();
        for (int attempt = 0; attempt < 5 && bodies.size() < expected; attempt++) {
            for (var message : sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
                bodies.add(message.body());
                sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
            }
        }
        return bodies;
    }

    public List<String> tasksStartedBy(String correlationId) {
        return ecs.listTasks(r -> r.cluster(CLUSTER).startedBy(correlationId)).taskArns();
    }

    @Override
    public void close() {
        ecs.close();
        events.close();
        sqs.close();
        table.close();
        http.close();
    }
}
