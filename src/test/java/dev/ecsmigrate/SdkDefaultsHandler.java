package dev.ecsmigrate;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.ecsmigrate.aws.DynamoRunTable;
import dev.ecsmigrate.aws.EcsMigrationTasks;
import dev.ecsmigrate.aws.EventBridgePublisher;
import dev.ecsmigrate.config.Configuration;
import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.start.EventValidator;
import dev.ecsmigrate.start.MigrationStarter;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;

/**
 * The benchmark's baseline: the same function with the SDK's defaults (default HTTP client, default
 * credential and region chains, default retries), as most Lambda functions are written. Never deployed.
 */
public final class SdkDefaultsHandler implements RequestStreamHandler {

    private final MigrationHandler delegate;

    public SdkDefaultsHandler() {
        RunnerConfig config = (RunnerConfig) Configuration.read(System.getenv());
        EcsClient ecs = EcsClient.builder().endpointOverride(config.home().endpointOverride()).build();
        EventBridgeClient events = EventBridgeClient.builder().endpointOverride(config.home().endpointOverride()).build();
        DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(config.home().endpointOverride()).build();
        DynamoRunTable runs = new DynamoRunTable(dynamo, config.table(), Clock.systemUTC());
        delegate = new MigrationHandler(new MigrationStarter(config, new EventValidator(config), new EcsMigrationTasks(ecs, config),
                runs, runs, Clock.systemUTC()), new EventBridgePublisher(events, config.buses().status()));
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        delegate.handleRequest(input, output, context);
    }
}
