package dev.ecsmigrate;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The benchmark's baseline: the same function with the SDK's defaults (default HTTP client, default
 * credential and region chains, default retries), as most Lambda functions are written. Never deployed.
 */
public final class SdkDefaultsHandler implements RequestStreamHandler {

    private final MigrationHandler delegate;

    public SdkDefaultsHandler() {
        RunnerConfig config = RunnerConfig.fromEnvironment(System.getenv());
        EcsClient ecs = EcsClient.builder().endpointOverride(config.endpointOverride()).build();
        EventBridgeClient events = EventBridgeClient.builder().endpointOverride(config.endpointOverride()).build();
        EventValidator validator = new EventValidator(config.region(), config.accountId(), config.allowedFamilies());
        delegate = new MigrationHandler(new MigrationRunner(config, validator, new EcsMigrationTasks(ecs, config)),
                new EventBridgeStatusPublisher(events, config.statusEventBus()));
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        delegate.handleRequest(input, output, context);
    }
}
