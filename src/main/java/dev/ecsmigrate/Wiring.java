package dev.ecsmigrate;

import dev.ecsmigrate.aws.AwsClients;
import dev.ecsmigrate.aws.DynamoRunTable;
import dev.ecsmigrate.aws.EcsMigrationTasks;
import dev.ecsmigrate.aws.EventBridgePublisher;
import dev.ecsmigrate.config.BrokenConfiguration;
import dev.ecsmigrate.config.Configuration;
import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.metrics.EmfMetrics;
import dev.ecsmigrate.metrics.Metrics;
import dev.ecsmigrate.start.EventValidator;
import dev.ecsmigrate.start.MigrationStarter;
import dev.ecsmigrate.start.Misconfigured;
import dev.ecsmigrate.start.RunRecords;
import dev.ecsmigrate.start.Starter;
import dev.ecsmigrate.start.StatusPublisher;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import java.time.Clock;
import java.util.Map;

/**
 * The one place that turns the environment into working parts: it reads the configuration, builds the
 * SDK clients once, and assembles each entry point's collaborators. Handlers only call it.
 */
final class Wiring {

    private Wiring() {
    }

    /** The trigger handler's collaborators. */
    record Trigger(Starter starter, StatusPublisher publisher, Metrics metrics) {

        MigrationHandler handler() {
            return new MigrationHandler(starter, publisher, metrics);
        }
    }

    static Trigger trigger(Map<String, String> environment, AwsCredentialsProvider credentials) {
        return switch (Configuration.read(environment)) {
            case RunnerConfig config -> {
                AwsClients clients = AwsClients.create(config.home(), credentials);
                EventValidator validator = new EventValidator(config);
                DynamoRunTable runs = new DynamoRunTable(clients.dynamo(), config.table(), Clock.systemUTC());
                Priming.register(new Priming(config, validator));
                yield new Trigger(new MigrationStarter(config, validator, new EcsMigrationTasks(clients.ecs(), config), runs, runs,
                        Clock.systemUTC()), new EventBridgePublisher(clients.events(), config.buses().status()),
                        EmfMetrics.toStandardOutput());
            }
            case BrokenConfiguration broken -> new Trigger(new Misconfigured(broken, records(broken, credentials)),
                    publisher(broken, credentials), EmfMetrics.toStandardOutput());
        };
    }

    /** With a broken configuration, rejections are still recorded where the region and the table are known. */
    private static RunRecords records(BrokenConfiguration broken, AwsCredentialsProvider credentials) {
        return switch (broken.recording()) {
            case BrokenConfiguration.ToTable to -> new DynamoRunTable(AwsClients.create(to.home(), credentials).dynamo(), to.table(),
                    Clock.systemUTC());
            case BrokenConfiguration.NotRecorded nowhere -> RunRecords.NONE;
        };
    }

    /** With a broken configuration, statuses still reach the status bus where the region and the bus are known. */
    private static StatusPublisher publisher(BrokenConfiguration broken, AwsCredentialsProvider credentials) {
        return switch (broken.publishing()) {
            case BrokenConfiguration.ToBus to -> new EventBridgePublisher(
                    AwsClients.create(to.home(), credentials).events(), to.buses().status());
            case BrokenConfiguration.Nowhere nowhere -> (status, json) -> { };
        };
    }
}
