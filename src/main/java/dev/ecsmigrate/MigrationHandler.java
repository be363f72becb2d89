package dev.ecsmigrate;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.ecsmigrate.aws.AwsClients;
import dev.ecsmigrate.contract.MigrationMetric;
import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.contract.TaskDefinitionArn;
import dev.ecsmigrate.metrics.Metrics;
import dev.ecsmigrate.start.Decision;
import dev.ecsmigrate.start.Starter;
import dev.ecsmigrate.start.StatusPublisher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;

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
        Decision decision = starter.start(input.readAllBytes());
        MigrationStatus status = decision.status();
        String json = status.toJson();
        boolean good = status.status() == MigrationStatus.Outcome.STARTED || status.status() == MigrationStatus.Outcome.DRY_RUN;
        // The status line comes first: whatever fails after it, the status is not lost.
        context.getLogger().log(json, good ? LogLevel.INFO : LogLevel.WARN);
        decision.commit().run();
        publisher.publish(status, json);
        metrics.record(status.cluster(), family(status.taskDefinition()), measures(decision));
        output.write(json.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<MigrationMetric, Number> measures(Decision decision) {
        Map<MigrationMetric, Number> values = new EnumMap<>(MigrationMetric.class);
        switch (decision.status().status()) {
            case STARTED -> values.put(MigrationMetric.STARTED, 1);
            case REJECTED -> values.put(MigrationMetric.REJECTED, 1);
            case ALREADY_RUNNING -> values.put(MigrationMetric.ALREADY_RUNNING, 1);
            case FAILED -> values.put(MigrationMetric.FAILED_TO_START, 1);
            case DRY_RUN -> { }
        }
        if (decision.tookOver()) {
            values.put(MigrationMetric.LOCK_TAKEOVERS, 1);
        }
        return values;
    }

    /** The family of a status's task definition, or null when it names no valid one (a rejection). */
    private static String family(String taskDefinition) {
        try {
            return taskDefinition == null ? null : TaskDefinitionArn.parse(taskDefinition).family();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
