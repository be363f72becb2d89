package dev.ecsmigrate.local;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Consumer;

/** A Lambda context for running the handler outside Lambda; its logger hands each line to a sink. */
public final class LocalContext implements Context {

    private final String requestId = UUID.randomUUID().toString();
    private final LambdaLogger logger;

    public LocalContext(Consumer<String> sink) {
        this.logger = new LambdaLogger() {
            @Override
            public void log(String message) {
                sink.accept(message);
            }

            @Override
            public void log(byte[] message) {
                sink.accept(new String(message, StandardCharsets.UTF_8));
            }
        };
    }

    @Override public String getAwsRequestId() { return requestId; }
    @Override public String getLogGroupName() { return "/aws/lambda/local"; }
    @Override public String getLogStreamName() { return "local"; }
    @Override public String getFunctionName() { return "local"; }
    @Override public String getFunctionVersion() { return "$LATEST"; }
    @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:123456789012:function:local"; }
    @Override public CognitoIdentity getIdentity() { return null; }
    @Override public ClientContext getClientContext() { return null; }
    @Override public int getRemainingTimeInMillis() { return 60_000; }
    @Override public int getMemoryLimitInMB() { return 1024; }
    @Override public LambdaLogger getLogger() { return logger; }
}
