package dev.ecsmigrate.aws;

import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.hook.ServiceRevisions;
import dev.ecsmigrate.start.LaunchSettings;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AwsVpcConfiguration;
import software.amazon.awssdk.services.ecs.model.DescribeServiceRevisionsResponse;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.ServiceRevision;

import java.util.List;

/** The deployment hook's ECS calls: DescribeServiceRevisions, and StopTask when it gives up. */
public final class EcsServiceRevisions implements ServiceRevisions {

    private final EcsClient ecs;
    private final RunnerConfig config;

    public EcsServiceRevisions(EcsClient ecs, RunnerConfig config) {
        this.ecs = ecs;
        this.config = config;
    }

    @Override
    public Lookup revision(String revisionArn) {
        DescribeServiceRevisionsResponse response;
        try {
            response = ecs.describeServiceRevisions(r -> r.serviceRevisionArns(revisionArn));
        } catch (EcsException e) {
            return new Missing(EcsMigrationTasks.refusal("DescribeServiceRevisions", e) + " (service revision " + revisionArn + ")");
        }
        if (!response.hasServiceRevisions() || response.serviceRevisions().isEmpty()) {
            String why = response.failures().stream().map(f -> f.reason() + (f.detail() == null ? "" : " (" + f.detail() + ")"))
                    .findFirst().orElse("not found");
            return new Missing("ECS does not know service revision " + revisionArn + ": " + why);
        }
        ServiceRevision revision = response.serviceRevisions().getFirst();
        AwsVpcConfiguration vpc = revision.networkConfiguration() == null ? null : revision.networkConfiguration().awsvpcConfiguration();
        List<LaunchSettings.CapacityProviderShare> shares = revision.capacityProviderStrategy().stream()
                .map(s -> new LaunchSettings.CapacityProviderShare(s.capacityProvider(), s.weight() == null ? 0 : s.weight(),
                        s.base() == null ? 0 : s.base()))
                .toList();
        String launchType = revision.launchTypeAsString() != null || !shares.isEmpty() ? revision.launchTypeAsString() : "FARGATE";
        String platformVersion = "EC2".equals(launchType) ? null : revision.platformVersion();
        LaunchSettings settings = new LaunchSettings(launchType, shares, platformVersion,
                vpc == null ? List.of() : vpc.subnets(), vpc == null ? List.of() : vpc.securityGroups(),
                vpc == null || vpc.assignPublicIpAsString() == null ? "DISABLED" : vpc.assignPublicIpAsString());
        return new Found(new Revision(revision.serviceRevisionArn(), revision.clusterArn(), revision.taskDefinition(), settings));
    }

    @Override
    public void stop(String taskArn, String reason) {
        try {
            ecs.stopTask(r -> r.cluster(config.cluster()).task(taskArn).reason(reason));
        } catch (EcsException e) {
            if (e.isThrottlingException() || e.statusCode() >= 500) {
                throw e;
            }
            // Already stopped, or gone: nothing left running behind the deployment.
        }
    }
}
