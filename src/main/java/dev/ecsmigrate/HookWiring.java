package dev.ecsmigrate;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import dev.ecsmigrate.aws.AwsClients;
import dev.ecsmigrate.aws.DynamoRunLedger;
import dev.ecsmigrate.aws.DynamoRunTable;
import dev.ecsmigrate.aws.EcsMigrationTasks;
import dev.ecsmigrate.aws.EcsServiceRevisions;
import dev.ecsmigrate.aws.EcsTaskStates;
import dev.ecsmigrate.aws.EventBridgePublisher;
import dev.ecsmigrate.complete.Completer;
import dev.ecsmigrate.config.BrokenConfiguration;
import dev.ecsmigrate.config.Configuration;
import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.hook.DeploymentHook;
import dev.ecsmigrate.metrics.Metrics;
import dev.ecsmigrate.start.EventValidator;
import dev.ecsmigrate.start.MigrationStarter;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import java.time.Clock;
import java.util.Map;
import java.util.function.Function;

/**
 * The deployment hook's parts, built once from the environment: the trigger's start path (the same lock, records
 * and statuses) and the completion path's verdicts, with the revision lookup only the hook makes.
 */
final class HookWiring {

    private HookWiring() {
    }

    /** The hook, for a given log: its start decisions are logged to the invocation's logger. */
    static Function<LambdaLogger, DeploymentHook> hook(Map<String, String> environment, AwsCredentialsProvider credentials,
                                                       Metrics metrics, Clock clock) {
        return switch (Configuration.read(environment)) {
            case RunnerConfig config -> {
                AwsClients clients = AwsClients.create(config.home(), credentials);
                EventValidator validator = new EventValidator(config);
                DynamoRunTable runs = new DynamoRunTable(clients.dynamo(), config.table(), clock);
                MigrationStarter starter = new MigrationStarter(config, validator, new EcsMigrationTasks(clients.ecs(), config), runs, runs,
                        clock);
                EventBridgePublisher publisher = new EventBridgePublisher(clients.events(), config.buses().status());
                DynamoRunLedger ledger = new DynamoRunLedger(clients.dynamo(), config, clock);
                EcsTaskStates tasks = new EcsTaskStates(clients.ecs(), config);
                Completer completer = new Completer(config, ledger, tasks, publisher, metrics, clock);
                EcsServiceRevisions revisions = new EcsServiceRevisions(clients.ecs(), config);
                yield logger -> new DeploymentHook(config, validator, starter,
                        decision -> StatusReport.report(decision, publisher, metrics, logger), revisions, ledger, tasks, completer, clock);
            }
            // A hook that cannot run must not let a deployment through: thrown, ECS rolls the deployment back.
            case BrokenConfiguration broken -> throw new IllegalStateException("the deployment hook cannot run: "
                    + String.join("; ", broken.problems()));
        };
    }
}
