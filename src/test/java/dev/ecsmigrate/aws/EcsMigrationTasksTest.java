package dev.ecsmigrate.aws;

import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.contract.TaskDefinitionArn;
import dev.ecsmigrate.start.LaunchSettings;
import dev.ecsmigrate.start.MigrationRequest;
import dev.ecsmigrate.start.MigrationTasks;
import dev.ecsmigrate.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.ArgumentCaptor;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.AwsVpcConfiguration;
import software.amazon.awssdk.services.ecs.model.CapacityProviderStrategyItem;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.DescribeServicesRequest;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.DescribeTasksRequest;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.NetworkConfiguration;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;

import java.util.List;
import java.util.function.Consumer;

import static dev.ecsmigrate.testing.Fixtures.TASK_DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

@ExtendWith(MockitoExtension.class)
class EcsMigrationTasksTest {

    @Mock
    private EcsClient ecs;

    private final RunnerConfig config = Fixtures.config();
    private final MigrationRequest request = new MigrationRequest("evt-1", "gh-99-1", TaskDefinitionArn.parse(TASK_DEFINITION), false);
    private final LaunchSettings settings = LaunchSettings.resolve(config, null);

    @Test
    void start_sendsEveryRunTaskField() {
        when(ecs.runTask(any(RunTaskRequest.class))).thenReturn(RunTaskResponse.builder()
                .tasks(Task.builder().taskArn("arn:aws:ecs:us-east-1:123456789012:task/migrations/abc").build()).build());

        MigrationTasks.Launch launch = new EcsMigrationTasks(ecs, config).start(request, settings);

        ArgumentCaptor<RunTaskRequest> sent = ArgumentCaptor.forClass(RunTaskRequest.class);
        verify(ecs).runTask(sent.capture());
        RunTaskRequest run = sent.getValue();
        assertThat(launch).isEqualTo(new MigrationTasks.Started("arn:aws:ecs:us-east-1:123456789012:task/migrations/abc"));
        assertThat(run.cluster()).isEqualTo("migrations");
        assertThat(run.taskDefinition()).isEqualTo(TASK_DEFINITION);
        assertThat(run.count()).isEqualTo(1);
        assertThat(run.startedBy()).isEqualTo("gh-99-1");
        assertThat(run.clientToken()).isEqualTo("gh-99-1");
        assertThat(run.group()).isEqualTo("migration:app");
        assertThat(run.launchType()).isEqualTo(LaunchType.FARGATE);
        assertThat(run.hasCapacityProviderStrategy()).isFalse();
        assertThat(run.platformVersion()).isNull();
        assertThat(run.tags()).containsExactly(
                Tag.builder().key("ecs-migration:correlation-id").value("gh-99-1").build(),
                Tag.builder().key("ecs-migration:event-id").value("evt-1").build());
        assertThat(run.networkConfiguration()).isEqualTo(NetworkConfiguration.builder().awsvpcConfiguration(AwsVpcConfiguration.builder()
                .subnets("subnet-0123456789abcdef0", "subnet-0fedcba9876543210")
                .securityGroups("sg-0123456789abcdef0")
                .assignPublicIp(AssignPublicIp.DISABLED).build()).build());
        assertThat(run.overrides().containerOverrides()).hasSize(1);
        assertThat(run.overrides().containerOverrides().getFirst().name()).isEqualTo("app");
        assertThat(run.overrides().containerOverrides().getFirst().command()).containsExactly("alembic", "upgrade", "head");
    }

    @Test
    void runTaskRequest_whenNoCommand_sendsNoOverrides() {
        RunnerConfig noCommand = Fixtures.config(Fixtures.with(Fixtures.env(), "MIGRATION_COMMAND", null));

        RunTaskRequest run = new EcsMigrationTasks(ecs, noCommand).runTaskRequest(request, settings);

        assertThat(run.overrides()).isNull();
    }

    @Test
    void runTaskRequest_whenCapacityProviders_sendsStrategyWithoutLaunchType() {
        LaunchSettings spot = new LaunchSettings(null, List.of(new LaunchSettings.CapacityProviderShare("FARGATE_SPOT", 2, 1)),
                "1.4.0", List.of("subnet-0aaaaaaaaaaaaaaaa"), List.of(), "ENABLED");

        RunTaskRequest run = new EcsMigrationTasks(ecs, config).runTaskRequest(request, spot);

        assertThat(run.launchType()).isNull();
        assertThat(run.capacityProviderStrategy()).containsExactly(
                CapacityProviderStrategyItem.builder().capacityProvider("FARGATE_SPOT").weight(2).base(1).build());
        assertThat(run.platformVersion()).isEqualTo("1.4.0");
        assertThat(run.networkConfiguration().awsvpcConfiguration().assignPublicIp()).isEqualTo(AssignPublicIp.ENABLED);
    }

    @Test
    void start_whenTaskDefinitionMissing_isRefusedWithEcsReason() {
        when(ecs.runTask(any(RunTaskRequest.class))).thenReturn(RunTaskResponse.builder()
                .failures(Failure.builder().arn(TASK_DEFINITION).reason("MISSING").build()).build());

        assertThat(new EcsMigrationTasks(ecs, config).start(request, settings)).isEqualTo(new MigrationTasks.Refused(
                "ECS RunTask failed for " + TASK_DEFINITION + ": MISSING: the task definition does not exist;"
                        + " register it before sending the event"));
    }

    @Test
    void start_whenNoCapacity_isTransient() {
        when(ecs.runTask(any(RunTaskRequest.class))).thenReturn(RunTaskResponse.builder()
                .failures(Failure.builder().reason("RESOURCE:MEMORY").build()).build());

        assertThatThrownBy(() -> new EcsMigrationTasks(ecs, config).start(request, settings))
                .isInstanceOf(TransientEcsException.class)
                .hasMessageContaining("RESOURCE:MEMORY");
    }

    @Test
    void start_whenClientException_isRefusedWithCodeAndMessage() {
        when(ecs.runTask(any(RunTaskRequest.class))).thenThrow(ClientException.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ClientException").errorMessage("TaskDefinition is inactive").build())
                .build());

        assertThat(new EcsMigrationTasks(ecs, config).start(request, settings))
                .isEqualTo(new MigrationTasks.Refused("ECS RunTask refused: ClientException: TaskDefinition is inactive"));
    }

    @Test
    void start_whenThrottled_rethrowsForLambdaToRetry() {
        EcsException throttled = (EcsException) EcsException.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ThrottlingException").errorMessage("Rate exceeded").build()).build();
        when(ecs.runTask(any(RunTaskRequest.class))).thenThrow(throttled);

        assertThatThrownBy(() -> new EcsMigrationTasks(ecs, config).start(request, settings)).isSameAs(throttled);
    }

    @Test
    void start_whenServerError_rethrows() {
        EcsException server = (EcsException) EcsException.builder().statusCode(500)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ServerException").build()).build();
        when(ecs.runTask(any(RunTaskRequest.class))).thenThrow(server);

        assertThatThrownBy(() -> new EcsMigrationTasks(ecs, config).start(request, settings)).isSameAs(server);
    }

    @Test
    @SuppressWarnings("unchecked")
    void taskState_asksEcsByArnOnTheCluster() {
        String arn = "arn:aws:ecs:us-east-1:123456789012:task/migrations/t1";
        when(ecs.describeTasks(any(Consumer.class))).thenAnswer(call -> {
            DescribeTasksRequest.Builder builder = DescribeTasksRequest.builder();
            ((Consumer<DescribeTasksRequest.Builder>) call.getArgument(0)).accept(builder);
            assertThat(builder.build().cluster()).isEqualTo("migrations");
            assertThat(builder.build().tasks()).containsExactly(arn);
            return DescribeTasksResponse.builder().tasks(Task.builder().taskArn(arn).lastStatus("PENDING").build()).build();
        });

        assertThat(new EcsMigrationTasks(ecs, config).taskState(arn)).isEqualTo(new MigrationTasks.Live("PENDING"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void taskState_tellsStoppedUnknownAndRefusedApart() {
        EcsMigrationTasks adapter = new EcsMigrationTasks(ecs, config);
        when(ecs.describeTasks(any(Consumer.class)))
                .thenReturn(DescribeTasksResponse.builder().tasks(Task.builder().taskArn("t").lastStatus("STOPPED").build()).build())
                .thenReturn(DescribeTasksResponse.builder().failures(Failure.builder().arn("t").reason("MISSING").build()).build())
                .thenThrow(ClientException.builder().statusCode(400)
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDeniedException").errorMessage("no").build()).build());

        assertThat(adapter.taskState("t")).isEqualTo(new MigrationTasks.Stopped());
        assertThat(adapter.taskState("t")).isEqualTo(new MigrationTasks.Unknown());
        assertThat(adapter.taskState("t")).isInstanceOf(MigrationTasks.Refused.class);
    }

    @Test
    void tagValue_fitsEcsTagRules() {
        assertThat(EcsMigrationTasks.tagValue("6a7e8feb-b491-4cf7-a9f1-bf3703467718")).isEqualTo("6a7e8feb-b491-4cf7-a9f1-bf3703467718");
        assertThat(EcsMigrationTasks.tagValue("a#b!c\u0000d")).isEqualTo("a_b_c_d");
        assertThat(EcsMigrationTasks.tagValue("x".repeat(300))).hasSize(256);
        assertThat(EcsMigrationTasks.tagValue(null)).isEqualTo("none");
    }

    @Test
    @SuppressWarnings("unchecked")
    void serviceSettings_copiesNetworkCapacityAndPlatform() {
        when(ecs.describeServices(any(Consumer.class))).thenReturn(DescribeServicesResponse.builder().services(Service.builder()
                .status("ACTIVE")
                .capacityProviderStrategy(CapacityProviderStrategyItem.builder().capacityProvider("FARGATE_SPOT").weight(1).build())
                .platformVersion("1.4.0")
                .networkConfiguration(NetworkConfiguration.builder().awsvpcConfiguration(AwsVpcConfiguration.builder()
                        .subnets("subnet-0aaaaaaaaaaaaaaaa").securityGroups("sg-0bbbbbbbbbbbbbbbb").assignPublicIp("ENABLED").build()).build())
                .build()).build());

        MigrationTasks.ServiceLookup copied = new EcsMigrationTasks(ecs, config).serviceSettings("web");

        assertThat(copied).isEqualTo(new MigrationTasks.Found(new LaunchSettings(null, List.of(new LaunchSettings.CapacityProviderShare("FARGATE_SPOT", 1, 0)),
                "1.4.0", List.of("subnet-0aaaaaaaaaaaaaaaa"), List.of("sg-0bbbbbbbbbbbbbbbb"), "ENABLED")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void serviceSettings_whenServiceMissing_isAConfigurationProblem() {
        when(ecs.describeServices(any(Consumer.class))).thenAnswer(call -> {
            DescribeServicesRequest.Builder builder = DescribeServicesRequest.builder();
            ((Consumer<DescribeServicesRequest.Builder>) call.getArgument(0)).accept(builder);
            assertThat(builder.build().services()).containsExactly("web");
            return DescribeServicesResponse.builder().failures(Failure.builder().reason("MISSING").build()).build();
        });

        assertThat(new EcsMigrationTasks(ecs, config).serviceSettings("web")).isEqualTo(new MigrationTasks.Missing(
                "NETWORK_FROM_SERVICE names service 'web', which ECS cannot find on cluster 'migrations' (MISSING)"));
    }
}
