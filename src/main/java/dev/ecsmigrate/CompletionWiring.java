package dev.ecsmigrate;

import dev.ecsmigrate.aws.AwsClients;
import dev.ecsmigrate.aws.DynamoRunLedger;
import dev.ecsmigrate.aws.EcsTaskStates;
import dev.ecsmigrate.aws.EventBridgePublisher;
import dev.ecsmigrate.complete.Completer;
import dev.ecsmigrate.config.BrokenConfiguration;
import dev.ecsmigrate.config.Configuration;
import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.metrics.EmfMetrics;
import dev.ecsmigrate.metrics.Metrics;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import java.time.Clock;
import java.util.Map;

/**
 * The completion function's parts, built once from the environment. It is apart from {@link Wiring} so that
 * the completion function's code reaches only the calls its role allows ({@code PolicyTest} checks each
 * function's role against the classes its handler reaches).
 */
final class CompletionWiring {

    private CompletionWiring() {
    }

    static Completer completer(Map<String, String> environment, AwsCredentialsProvider credentials) {
        return completer(environment, credentials, EmfMetrics.toStandardOutput());
    }

    static Completer completer(Map<String, String> environment, AwsCredentialsProvider credentials, Metrics metrics) {
        return completer(environment, credentials, metrics, Clock.systemUTC());
    }

    static Completer completer(Map<String, String> environment, AwsCredentialsProvider credentials, Metrics metrics, Clock clock) {
        return switch (Configuration.read(environment)) {
            case RunnerConfig config -> {
                AwsClients clients = AwsClients.create(config.home(), credentials);
                yield new Completer(config, new DynamoRunLedger(clients.dynamo(), config, clock),
                        new EcsTaskStates(clients.ecs(), config), new EventBridgePublisher(clients.events(), config.buses().status()),
                        metrics, clock);
            }
            case BrokenConfiguration broken -> throw new IllegalStateException("the completion function cannot run: "
                    + String.join("; ", broken.problems()));
        };
    }
}
