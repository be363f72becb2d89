package dev.ecsmigrate;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.ecsmigrate.aws.AwsClients;
import dev.ecsmigrate.complete.Completer;
import dev.ecsmigrate.complete.CompletionTrigger;
import dev.ecsmigrate.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The entry point for the completion path (CONTRACT.md section 5): an {@code ECS Task State Change} event for
 * a stopped migration task, or the sweep's schedule. It logs one JSON line with what it did, and answers the
 * same. A broken configuration is thrown, so that the event goes to the dead-letter queue and the function's
 * error alarm fires: nothing can be completed without it.
 */
public final class CompletionHandler implements RequestStreamHandler {

    private final Completer completer;

    /** Used by Lambda: reads the configuration and builds the clients once, at init. */
    public CompletionHandler() {
        this(CompletionWiring.completer(System.getenv(), AwsClients.lambdaCredentials()));
    }

    public CompletionHandler(Completer completer) {
        this.completer = completer;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String json = switch (CompletionTrigger.read(input.readAllBytes())) {
            case CompletionTrigger.TaskChange change -> completer.complete(change.task()).toJson();
            case CompletionTrigger.Sweep sweep -> completer.sweep().toJson();
            case CompletionTrigger.Unreadable unreadable -> Json.write(Map.of("outcome", "ignored", "reason", unreadable.reason()));
        };
        context.getLogger().log(json, json.startsWith("{\"outcome\":\"ignored\"") ? LogLevel.WARN : LogLevel.INFO);
        output.write(json.getBytes(StandardCharsets.UTF_8));
    }
}
