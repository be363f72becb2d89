package dev.ecsmigrate;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.ecsmigrate.aws.AwsClients;
import dev.ecsmigrate.metrics.Metrics;
import dev.ecsmigrate.start.Starter;
import dev.ecsmigrate.start.StatusPublisher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The entry point for trigger events: raw EventBridge event bytes in, one migration status out, logged,
 * recorded and published.
 *
 * <p>It takes the raw bytes so that a malformed envelope becomes a REJECTED status with a reason,
 * rather than a deserialization error inside the runtime.
 */
public final class MigrationHandler implements RequestStreamHandler {

    private final Starter starter;
    private final StatusPublisher publisher;
    private final Metrics metrics;

    /** Used by Lambda: reads the configuration and builds the clients once, at init. */
    public MigrationHandler() {
        this(Wiring.trigger(System.getenv(), AwsClients.lambdaCredentials()));
    }

    public MigrationHandler(Starter starter, StatusPublisher publisher) {
        this(starter, publisher, Metrics.NONE);
    }

    public MigrationHandler(Starter starter, StatusPublisher publisher, Metrics metrics) {
        this.starter = starter;
        this.publisher = publisher;
        this.metrics = metrics;
    }

    private MigrationHandler(Wiring.Trigger parts) {
        this(parts.starter(), parts.publisher(), parts.metrics());
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String json = StatusReport.report(starter.start(input.readAllBytes()), publisher, metrics, context.getLogger());
        output.write(json.getBytes(StandardCharsets.UTF_8));
    }
}
