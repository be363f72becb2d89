package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.ecsmigrate.aws.AwsClients;
import dev.ecsmigrate.aws.TransientEcsException;
import dev.ecsmigrate.local.LocalContext;
import dev.ecsmigrate.testing.Fixtures;
import dev.ecsmigrate.testing.MotoServer;
import dev.ecsmigrate.testing.RunTable;
import dev.ecsmigrate.testing.ScriptedAws;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.EcsException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.ecsmigrate.testing.ScriptedAws.ecs;
import static dev.ecsmigrate.testing.ScriptedAws.error;
import static dev.ecsmigrate.testing.ScriptedAws.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What moto cannot produce, from a scripted ECS/EventBridge endpoint on 127.0.0.1 that returns the
 * documented JSON: RunTask failures, throttling, server errors. The real SDK, with the function's own
 * retry and timeout settings, does the talking.
 */
class ScriptedEcsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TASK_DEFINITION = Fixtures.TASK_DEFINITION;
    private static final String TASK = "arn:aws:ecs:us-east-1:123456789012:task/migrations/0123456789abcdef";

    private WireMockServer endpoint;

    @BeforeEach
    void setUp() {
        MotoServer.get().reset();
        new RunTable(MotoServer.get().endpoint()).create().close();
        endpoint = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        endpoint.start();
        endpoint.stubFor(ScriptedAws.events("PutEvents")
                .willReturn(json("{\"FailedEntryCount\":0,\"Entries\":[{\"EventId\":\"status-1\"}]}")));
    }

    @AfterEach
    void tearDown() {
        endpoint.stop();
    }




    private JsonNode invoke() throws Exception {
        Map<String, String> env = Fixtures.env();
        env.put("AWS_ENDPOINT_URL", endpoint.baseUrl());
        // The lock and the record live in moto_server's DynamoDB; ECS and EventBridge are scripted.
        env.put("AWS_ENDPOINT_URL_DYNAMODB", MotoServer.get().endpoint().toString());
        MigrationHandler handler = Handlers.trigger(env);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(Fixtures.event("migration-with-correlation-id.json")), out,
                new LocalContext(line -> { }));
        return JSON.readTree(out.toByteArray());
    }

    private int runTaskCalls() {
        return endpoint.countRequestsMatching(postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("AmazonEC2ContainerServiceV20141113.RunTask")).build()).getCount();
    }

    @Test
    void runTaskFailureMissing_isFailedWithEcsReason() throws Exception {
        endpoint.stubFor(ecs("RunTask").willReturn(json(
                "{\"tasks\":[],\"failures\":[{\"arn\":\"" + TASK_DEFINITION + "\",\"reason\":\"MISSING\"}]}")));

        JsonNode status = invoke();

        assertThat(status.path("status").asText()).isEqualTo("FAILED");
        assertThat(status.path("reason").asText()).isEqualTo("ECS RunTask failed for " + TASK_DEFINITION
                + ": MISSING: the task definition does not exist; register it before sending the event");
        endpoint.verify(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AWSEvents.PutEvents"))
                .withRequestBody(containing("FAILED")));
    }

    @Test
    void inactiveTaskDefinition_isFailed() throws Exception {
        endpoint.stubFor(ecs("RunTask").willReturn(error(400, "ClientException", "TaskDefinition is inactive")));

        JsonNode status = invoke();

        assertThat(status.path("status").asText()).isEqualTo("FAILED");
        assertThat(status.path("reason").asText()).isEqualTo("ECS RunTask refused: ClientException: TaskDefinition is inactive");
        assertThat(runTaskCalls()).isEqualTo(1);
    }

    @Test
    void throttlingThenSuccess_isRetriedBySdkAndStarts() throws Exception {
        endpoint.stubFor(ecs("RunTask").inScenario("throttle").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(error(400, "ThrottlingException", "Rate exceeded")).willSetStateTo("calm"));
        endpoint.stubFor(ecs("RunTask").inScenario("throttle").whenScenarioStateIs("calm")
                .withRequestBody(matchingJsonPath("$.startedBy", equalTo("gh-7301122334-1")))
                .withRequestBody(matchingJsonPath("$.clientToken", equalTo("gh-7301122334-1")))
                .willReturn(json("{\"tasks\":[{\"taskArn\":\"" + TASK + "\",\"lastStatus\":\"PROVISIONING\"}],\"failures\":[]}")));

        JsonNode status = invoke();

        assertThat(status.path("status").asText()).isEqualTo("STARTED");
        assertThat(status.path("task_arn").asText()).isEqualTo(TASK);
        assertThat(runTaskCalls()).isEqualTo(2);
    }

    @Test
    void persistentThrottling_isThrownAfterBoundedRetries() {
        endpoint.stubFor(ecs("RunTask").willReturn(error(400, "ThrottlingException", "Rate exceeded")));

        assertThatThrownBy(this::invoke).isInstanceOf(EcsException.class).hasMessageContaining("Rate exceeded");
        assertThat(runTaskCalls()).isEqualTo(AwsClients.MAX_ATTEMPTS);
        endpoint.verify(0, postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AWSEvents.PutEvents")));
    }

    @Test
    void serverError_isThrownAfterBoundedRetries() {
        endpoint.stubFor(ecs("RunTask").willReturn(error(500, "ServerException", "internal error")));

        assertThatThrownBy(this::invoke).isInstanceOf(EcsException.class).hasMessageContaining("internal error");
        assertThat(runTaskCalls()).isEqualTo(AwsClients.MAX_ATTEMPTS);
    }

    @Test
    void noCapacity_isThrownForLambdaToRetryLater() {
        endpoint.stubFor(ecs("RunTask").willReturn(json(
                "{\"tasks\":[],\"failures\":[{\"reason\":\"Capacity is unavailable at this time. Please try again later or in a different availability zone\"}]}")));

        assertThatThrownBy(this::invoke).isInstanceOf(TransientEcsException.class).hasMessageContaining("Capacity is unavailable");
    }

    @Test
    void statusRefusedByEventBridge_isThrownSoTheEventIsRetried() {
        endpoint.stubFor(ecs("RunTask").willReturn(json("{\"tasks\":[{\"taskArn\":\"" + TASK + "\"}],\"failures\":[]}")));
        endpoint.stubFor(ScriptedAws.events("PutEvents").willReturn(json(
                "{\"FailedEntryCount\":1,\"Entries\":[{\"ErrorCode\":\"InternalFailure\",\"ErrorMessage\":\"try again\"}]}")));

        assertThatThrownBy(this::invoke).hasMessageContaining("EventBridge did not accept the 'AWS ECS Migration Task Status' event on bus 'default': InternalFailure: try again");
    }
}
