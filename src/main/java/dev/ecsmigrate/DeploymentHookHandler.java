package dev.ecsmigrate;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import dev.ecsmigrate.aws.AwsClients;
import dev.ecsmigrate.aws.TransientEcsException;
import dev.ecsmigrate.hook.DeploymentHook;
import dev.ecsmigrate.hook.HookAnswer;
import dev.ecsmigrate.hook.HookCall;
import dev.ecsmigrate.metrics.EmfMetrics;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.function.Function;

/**
 * The entry point for ECS deployment lifecycle hooks (CONTRACT.md section 6). It answers ECS with
 * {@code hookStatus} (and {@code callBackDelay} and {@code hookDetails} while the migration runs), and logs the
 * answer with its reason as one JSON line. A broken configuration is thrown at init: ECS then rolls the
 * deployment back, which is what a hook that cannot check the migration must do.
 */
public final class DeploymentHookHandler implements RequestStreamHandler {

    private final Function<LambdaLogger, DeploymentHook> hook;

    /** Used by Lambda: reads the configuration and builds the clients once, at init. */
    public DeploymentHookHandler() {
        this(HookWiring.hook(System.getenv(), AwsClients.lambdaCredentials(), EmfMetrics.toStandardOutput(), Clock.systemUTC()));
    }

    public DeploymentHookHandler(Function<LambdaLogger, DeploymentHook> hook) {
        this.hook = hook;
    }

    /** Throttling, a 5xx, a timeout or a connection that failed: what the SDK's own retries give up on in time. */
    private static boolean isTransient(RuntimeException e) {
        if (e instanceof AwsServiceException service) {
            return service.isThrottlingException() || service.statusCode() >= 500;
        }
        return e instanceof SdkClientException || e instanceof TransientEcsException;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        LambdaLogger logger = context.getLogger();
        HookCall call = HookCall.read(input.readAllBytes());
        HookAnswer answer;
        DeploymentHook deploymentHook = hook.apply(logger);
        try {
            answer = deploymentHook.answer(call);
        } catch (RuntimeException e) {
            if (!isTransient(e)) {
                throw e;
            }
            // Throttling or a 5xx is worth the next call, not a rollback: the run's record and the lock make it pick
            // up where this one stopped, and HOOK_TIMEOUT_SECONDS from the first call bounds it.
            answer = deploymentHook.troubled(call, e);
        }
        logger.log(answer.toLogJson(), answer.status() == HookAnswer.Status.FAILED ? LogLevel.WARN : LogLevel.INFO);
        output.write(answer.toJson().getBytes(StandardCharsets.UTF_8));
    }
}
