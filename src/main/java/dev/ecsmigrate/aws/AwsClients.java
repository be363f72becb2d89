package dev.ecsmigrate.aws;

import dev.ecsmigrate.config.RunnerConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

import java.time.Duration;

/**
 * Builds the SDK clients once, fully configured: explicit region and credentials, one HTTP client,
 * bounded retries and timeouts. Nothing here probes the environment at call time.
 */
public final class AwsClients implements AutoCloseable {

    /** Attempts per call, the first included; throttling and 5xx beyond this are thrown for Lambda to retry. */
    public static final int MAX_ATTEMPTS = 4;
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final SdkHttpClient http;
    private final EcsClient ecs;
    private final EventBridgeClient events;
    private final DynamoDbClient dynamo;

    private AwsClients(SdkHttpClient http, EcsClient ecs, EventBridgeClient events, DynamoDbClient dynamo) {
        this.http = http;
        this.ecs = ecs;
        this.events = events;
        this.dynamo = dynamo;
    }

    /**
     * Lambda's credentials: environment variables, or the container endpoint that Lambda uses instead under SnapStart.
     */
    public static AwsCredentialsProvider lambdaCredentials() {
        return AwsCredentialsProviderChain.of(EnvironmentVariableCredentialsProvider.create(), ContainerCredentialsProvider.create());
    }

    public static AwsClients create(RunnerConfig.Home home, AwsCredentialsProvider credentials) {
        return create(home, credentials, null);
    }

    /**
     * Clients that marshal and sign every request, then stop it before it leaves the process: they warm
     * the same classes and code paths as the real clients without calling AWS or resolving real credentials.
     */
    public static AwsClients forPriming(RunnerConfig.Home home) {
        return create(home, StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming")),
                new StopBeforeSending());
    }

    /** Thrown by priming clients where a request would go on the wire. */
    public static final class StoppedBeforeSending extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoppedBeforeSending() {
            super("priming request stopped before sending", null, false, false);
        }
    }

    private static final class StopBeforeSending implements ExecutionInterceptor {
        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            throw new StoppedBeforeSending();
        }
    }

    private static AwsClients create(RunnerConfig.Home home, AwsCredentialsProvider credentials, ExecutionInterceptor stop) {
        SdkHttpClient http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(3))
                .socketTimeout(ATTEMPT_TIMEOUT)
                .build();
        ClientOverrideConfiguration.Builder overrides = ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(MAX_ATTEMPTS).build())
                .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                .apiCallTimeout(CALL_TIMEOUT);
        if (stop != null) {
            overrides.retryStrategy(AwsRetryStrategy.doNotRetry()).addExecutionInterceptor(stop);
        }
        Region region = Region.of(home.region());
        var ecs = EcsClient.builder().httpClient(http).region(region).credentialsProvider(credentials)
                .overrideConfiguration(overrides.build());
        var events = EventBridgeClient.builder().httpClient(http).region(region).credentialsProvider(credentials)
                .overrideConfiguration(overrides.build());
        var dynamo = DynamoDbClient.builder().httpClient(http).region(region).credentialsProvider(credentials)
                .overrideConfiguration(overrides.build());
        if (home.endpointFor("ECS") != null) {
            ecs.endpointOverride(home.endpointFor("ECS"));
        }
        if (home.endpointFor("EVENTBRIDGE") != null) {
            events.endpointOverride(home.endpointFor("EVENTBRIDGE"));
        }
        if (home.endpointFor("DYNAMODB") != null) {
            dynamo.endpointOverride(home.endpointFor("DYNAMODB"));
        }
        return new AwsClients(http, ecs.build(), events.build(), dynamo.build());
    }

    public EcsClient ecs() {
        return ecs;
    }

    public EventBridgeClient events() {
        return events;
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    @Override
    public void close() {
        ecs.close();
        events.close();
        dynamo.close();
        http.close();
    }
}
