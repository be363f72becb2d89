package dev.ecsmigrate.aws;

import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.hook.ServiceRevisions;
import dev.ecsmigrate.start.LaunchSettings;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DescribeServiceRevisionsResponse;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.ServiceRevision;


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
        LaunchSettings stated = EcsMigrationTasks.launchSettings(revision.launchTypeAsString(), revision.capacityProviderStrategy(),
                revision.platformVersion(), revision.networkConfiguration());
        // A revision with neither a launch type nor a strategy runs on Fargate, with no public IP unless it says so.
        String launchType = stated.launchType() != null || !stated.capacityProviders().isEmpty() ? stated.launchType() : "FARGATE";
        LaunchSettings settings = new LaunchSettings(launchType, stated.capacityProviders(),
                "EC2".equals(launchType) ? null : stated.platformVersion(), stated.subnets(), stated.securityGroups(),
                stated.assignPublicIp() == null ? "DISABLED" : stated.assignPublicIp());
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
