package dev.ecsmigrate.aws;

import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.contract.Contract;
import dev.ecsmigrate.start.LaunchSettings;
import dev.ecsmigrate.start.MigrationRequest;
import dev.ecsmigrate.start.MigrationTasks;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AwsVpcConfiguration;
import software.amazon.awssdk.services.ecs.model.CapacityProviderStrategyItem;
import software.amazon.awssdk.services.ecs.model.ContainerOverride;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.NetworkConfiguration;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskOverride;

import java.util.List;

/**
 * {@link MigrationTasks} over the ECS API. ECS errors that a retry will not fix come back as values;
 * throttling and server errors are thrown, after the SDK's bounded retries, for Lambda to retry.
 */
public final class EcsMigrationTasks implements MigrationTasks {

    private final EcsClient ecs;
    private final RunnerConfig config;

    public EcsMigrationTasks(EcsClient ecs, RunnerConfig config) {
        this.ecs = ecs;
        this.config = config;
    }

    @Override
    public ServiceLookup serviceSettings(String serviceName) {
        DescribeServicesResponse response;
        try {
            response = ecs.describeServices(r -> r.cluster(config.cluster()).services(serviceName));
        } catch (EcsException e) {
            return refused("DescribeServices", e);
        }
        if (!response.hasServices() || response.services().isEmpty()) {
            String why = response.failures().stream().map(Failure::reason).findFirst().orElse("not found");
            return new Missing("NETWORK_FROM_SERVICE names service '" + serviceName
                    + "', which ECS cannot find on cluster '" + config.cluster() + "' (" + why + ")");
        }
        Service service = response.services().getFirst();
        if ("INACTIVE".equals(service.status())) {
            return new Missing("NETWORK_FROM_SERVICE names service '" + serviceName
                    + "', which is INACTIVE on cluster '" + config.cluster() + "': name a live service");
        }
        return new Found(launchSettings(service.launchTypeAsString(), service.capacityProviderStrategy(), service.platformVersion(),
                service.networkConfiguration()));
    }

    /** What ECS says a service or a service revision runs with, as it says it: no defaults filled in. */
    static LaunchSettings launchSettings(String launchType, List<CapacityProviderStrategyItem> strategy, String platformVersion,
                                         NetworkConfiguration network) {
        AwsVpcConfiguration vpc = network == null ? null : network.awsvpcConfiguration();
        List<LaunchSettings.CapacityProviderShare> shares = strategy.stream()
                .map(s -> new LaunchSettings.CapacityProviderShare(s.capacityProvider(),
                        s.weight() == null ? 0 : s.weight(), s.base() == null ? 0 : s.base()))
                .toList();
        return new LaunchSettings(launchType, shares, platformVersion,
                vpc == null ? List.of() : vpc.subnets(),
                vpc == null ? List.of() : vpc.securityGroups(),
                vpc == null ? null : vpc.assignPublicIpAsString());
    }

    @Override
    public TaskState taskState(String taskArn) {
        DescribeTasksResponse described;
        try {
            described = ecs.describeTasks(r -> r.cluster(config.cluster()).tasks(taskArn));
        } catch (EcsException e) {
            return refused("DescribeTasks", e);
        }
        if (!described.hasTasks() || described.tasks().isEmpty()) {
            return new Unknown();
        }
        Task task = described.tasks().getFirst();
        return "STOPPED".equals(task.lastStatus()) ? new Stopped() : new Live(task.lastStatus());
    }

    @Override
    public Launch start(MigrationRequest request, LaunchSettings settings) {
        RunTaskResponse response;
        try {
            response = ecs.runTask(runTaskRequest(request, settings));
        } catch (EcsException e) {
            return refused("RunTask", e);
        }
        if (response.hasFailures() && !response.failures().isEmpty()) {
            List<String> reasons = response.failures().stream()
                    .map(f -> f.reason() + (f.detail() == null ? "" : " (" + f.detail() + ")")).toList();
            String message = "ECS RunTask failed for " + request.taskDefinition() + ": " + String.join("; ", reasons);
            if (response.failures().stream().anyMatch(EcsMigrationTasks::isTransient)) {
                throw new TransientEcsException(message);
            }
            return new Refused(message + hint(response.failures().getFirst()));
        }
        if (!response.hasTasks() || response.tasks().isEmpty()) {
            throw new TransientEcsException("ECS RunTask returned neither a task nor a failure for " + request.taskDefinition());
        }
        return new Started(response.tasks().getFirst().taskArn());
    }

    /** Builds the RunTask request: one task, marked, tagged and idempotent by correlation id. */
    RunTaskRequest runTaskRequest(MigrationRequest request, LaunchSettings settings) {
        RunTaskRequest.Builder builder = RunTaskRequest.builder()
                .cluster(config.cluster())
                .taskDefinition(request.taskDefinition().value())
                .count(1)
                .startedBy(request.correlationId())
                .clientToken(request.correlationId())
                .group(Contract.taskGroup(request.taskDefinition().family()))
                .tags(Tag.builder().key(Contract.CORRELATION_ID_TAG).value(request.correlationId()).build(),
                        Tag.builder().key(Contract.EVENT_ID_TAG).value(tagValue(request.eventId())).build())
                .networkConfiguration(NetworkConfiguration.builder().awsvpcConfiguration(AwsVpcConfiguration.builder()
                        .subnets(settings.subnets())
                        .securityGroups(settings.securityGroups())
                        .assignPublicIp(settings.assignPublicIp())
                        .build()).build());
        if (settings.launchType() != null) {
            builder.launchType(settings.launchType());
        } else if (!settings.capacityProviders().isEmpty()) {
            builder.capacityProviderStrategy(settings.capacityProviders().stream()
                    .map(s -> CapacityProviderStrategyItem.builder()
                            .capacityProvider(s.capacityProvider()).weight(s.weight()).base(s.base()).build())
                    .toList());
        }
        if (settings.platformVersion() != null) {
            builder.platformVersion(settings.platformVersion());
        }
        RunnerConfig.Override override = config.override();
        if (!override.command().isEmpty()) {
            builder.overrides(TaskOverride.builder().containerOverrides(ContainerOverride.builder()
                    .name(override.containerName())
                    .command(override.command())
                    .build()).build());
        }
        return builder.build();
    }

    /**
     * A value ECS accepts as a tag value: at most 256 characters, from letters, digits, spaces and + - = . _ : / @.
     * Event ids from EventBridge are UUIDs; an id from elsewhere is made to fit rather than fail the start.
     */
    static String tagValue(String value) {
        if (value == null || value.isEmpty()) {
            return "none";
        }
        StringBuilder fitted = new StringBuilder();
        value.codePoints().limit(256).forEach(c -> fitted.appendCodePoint(
                Character.isLetterOrDigit(c) || c == ' ' || "+-=._:/@".indexOf(c) >= 0 ? c : '_'));
        return fitted.toString();
    }

    /** Failures that a later attempt can get past: no capacity now, or an agent reconnecting. */
    private static boolean isTransient(Failure failure) {
        String reason = failure.reason() == null ? "" : failure.reason();
        return reason.startsWith("RESOURCE:") || reason.equals("AGENT") || reason.contains("Capacity is unavailable");
    }

    private static String hint(Failure failure) {
        String reason = failure.reason() == null ? "" : failure.reason();
        if (reason.equals("MISSING")) {
            return ": the task definition does not exist; register it before sending the event";
        }
        if (reason.contains("INACTIVE")) {
            return ": the revision is inactive; send the ARN of an active revision";
        }
        return "";
    }

    /**
     * Classifies an ECS error: throttling and server errors stay exceptions (Lambda retries them);
     * anything else is a refusal a retry will not fix.
     */
    private static Refused refused(String operation, EcsException e) {
        return new Refused(refusal(operation, e));
    }

    /**
     * Why ECS refused a call, with what to check: for a refusal a retry will not fix. Throttling and 5xx are
     * rethrown, for Lambda to retry.
     */
    static String refusal(String operation, EcsException e) {
        if (e.isThrottlingException() || e.statusCode() >= 500) {
            throw e;
        }
        String code = e.awsErrorDetails() == null ? "unknown" : e.awsErrorDetails().errorCode();
        String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
        return "ECS " + operation + " refused: " + code + ": " + message + advice(code);
    }

    private static String advice(String code) {
        return switch (code) {
            case "AccessDeniedException" -> " (check the function role's policy in template.yaml)";
            case "ClusterNotFoundException" -> " (check the Cluster parameter)";
            default -> "";
        };
    }
}
