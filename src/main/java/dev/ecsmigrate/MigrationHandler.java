package dev.ecsmigrate;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Lambda entry point: raw EventBridge event bytes in, one migration status out.
 *
 * <p>It takes the raw bytes so that a malformed envelope becomes a REJECTED status with a reason,
 * rather than a deserialization error inside the runtime.
 */
public final class MigrationHandler implements RequestStreamHandler {

    private final MigrationRunner runner;
    private final StatusPublisher publisher;
    /** Held so the CRaC runtime, which keeps only weak references, does not lose the priming hook. */
    private final Priming priming;

    /** Used by Lambda: reads the configuration and builds the clients once, at init. */
    public MigrationHandler() {
        this(System.getenv(), AwsClients.lambdaCredentials());
    }

    /** Builds the real clients from a given environment; tests point it at a local endpoint. */
    MigrationHandler(Map<String, String> env, AwsCredentialsProvider credentials) {
        this(wire(env, credentials));
    }

    MigrationHandler(MigrationRunner runner, StatusPublisher publisher) {
        this(runner, publisher, null);
    }

    private MigrationHandler(MigrationRunner runner, StatusPublisher publisher, Priming priming) {
        this.runner = runner;
        this.publisher = publisher;
        this.priming = priming;
    }

    private MigrationHandler(MigrationHandler wired) {
        this(wired.runner, wired.publisher, wired.priming);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        MigrationStatus status = runner.run(input.readAllBytes());
        String json = status.toJson();
        boolean good = status.status() == MigrationStatus.Outcome.STARTED || status.status() == MigrationStatus.Outcome.DRY_RUN;
        context.getLogger().log(json, good ? LogLevel.INFO : LogLevel.WARN);
        publisher.publish(status, json);
        output.write(json.getBytes(StandardCharsets.UTF_8));
    }

    private static MigrationHandler wire(Map<String, String> env, AwsCredentialsProvider credentials) {
        try {
            RunnerConfig config = RunnerConfig.fromEnvironment(env);
            AwsClients clients = AwsClients.create(config, credentials);
            EventValidator validator = new EventValidator(config.region(), config.accountId(), config.allowedFamilies());
            return new MigrationHandler(new MigrationRunner(config, validator, new EcsMigrationTasks(clients.ecs(), config)),
                    new EventBridgeStatusPublisher(clients.events(), config.statusEventBus()),
                    new Priming(config, validator).register());
        } catch (InvalidConfigurationException problem) {
            return misconfigured(env, credentials, problem);
        }
    }

    /**
     * With a broken configuration, every event is rejected with the problem, and nothing starts. The
     * status still reaches the bus when the region is known, so the pipeline learns why at once.
     */
    private static MigrationHandler misconfigured(Map<String, String> env, AwsCredentialsProvider credentials,
                                                  InvalidConfigurationException problem) {
        MigrationRunner runner = new MigrationRunner(problem, new EventValidator(null, null, Set.of()));
        String region = env.get("AWS_REGION");
        if (region == null || region.isBlank()) {
            return new MigrationHandler(runner, (status, json) -> { });
        }
        String bus = env.getOrDefault("STATUS_EVENT_BUS", "default");
        // Only the region, the bus and the endpoint matter for publishing; the rest are placeholders.
        RunnerConfig publishing = new RunnerConfig(region.strip(), "000000000000", "unconfigured", List.of(), List.of(),
                null, null, null, null, null, List.of(), Set.of(), bus.isBlank() ? "default" : bus.strip(),
                endpointOrNull(env.get("AWS_ENDPOINT_URL")));
        AwsClients clients = AwsClients.create(publishing, credentials);
        return new MigrationHandler(runner, new EventBridgeStatusPublisher(clients.events(), publishing.statusEventBus()));
    }

    private static URI endpointOrNull(String value) {
        try {
            URI endpoint = value == null || value.isBlank() ? null : URI.create(value.strip());
            return endpoint != null && endpoint.getScheme() != null && endpoint.getHost() != null ? endpoint : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
