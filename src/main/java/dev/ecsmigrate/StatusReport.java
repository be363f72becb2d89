package dev.ecsmigrate;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.metrics.Metrics;
import dev.ecsmigrate.start.Decision;
import dev.ecsmigrate.start.StatusPublisher;

/** How every entry point that starts migrations makes a decision known: logged, committed, published, counted. */
final class StatusReport {

    private StatusReport() {
    }

    /** Returns the status as the JSON line that was logged and published. */
    static String report(Decision decision, StatusPublisher publisher, Metrics metrics, LambdaLogger logger) {
        MigrationStatus status = decision.status();
        String json = status.toJson();
        boolean good = status.status() == MigrationStatus.Outcome.STARTED || status.status() == MigrationStatus.Outcome.DRY_RUN;
        // The status line comes first: whatever fails after it, the status is not lost.
        logger.log(json, good ? LogLevel.INFO : LogLevel.WARN);
        decision.commit().run();
        publisher.publish(status, json);
        metrics.record(status.cluster(), decision.family(), decision.measures());
        return json;
    }
}
