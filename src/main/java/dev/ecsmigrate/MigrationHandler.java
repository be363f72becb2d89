package dev.ecsmigrate;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.ecsmigrate.aws.AwsClients;
import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.start.Decision;
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

    /** Used by Lambda: reads the configuration and builds the clients once, at init. */
    public MigrationHandler() {
        this(Wiring.trigger(System.getenv(), AwsClients.lambdaCredentials()));
    }

    public MigrationHandler(Starter starter, StatusPublisher publisher) {
        this.starter = starter;
        this.publisher = publisher;
    }

    private MigrationHandler(Wiring.Trigger parts) {
        this(parts.starter(), parts.publisher());
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Decision decision = starter.start(input.readAllBytes());
        MigrationStatus status = decision.status();
        String json = status.toJson();
        boolean good = status.status() == MigrationStatus.Outcome.STARTED || status.status() == MigrationStatus.Outcome.DRY_RUN;
        // The status line comes first: whatever fails after it, the status is not lost.
        context.getLogger().log(json, good ? LogLevel.INFO : LogLevel.WARN);
        decision.commit().run();
        publisher.publish(status, json);
        output.write(json.getBytes(StandardCharsets.UTF_8));
    }
}
