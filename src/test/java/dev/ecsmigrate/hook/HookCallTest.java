package dev.ecsmigrate.hook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsmigrate.contract.Contract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The lifecycle-hook payload as the ECS developer guide documents it, and the run each deployment becomes. */
class HookCallTest {

    private static final String DOCUMENTED = """
            {
              "executionId": "f4fcae0f-9bec-41c6-ba87-0eaa0cef8af5",
              "lifecycleStage": "%s",
              "resourceArn": "arn:aws:ecs:us-west-2:123456789012:service-deployment/my-cluster/my-service/EZe5RNVLH6PPzHXINuP28",
              "executionDetails": {
                "serviceArn": "arn:aws:ecs:us-west-2:123456789012:service/my-cluster/my-service",
                "targetServiceRevisionArn": "arn:aws:ecs:us-west-2:123456789012:service-revision/my-cluster/my-service/9313423515462893900",
                "testTrafficWeights": {},
                "productionTrafficWeights": {}
              }%s
            }""";

    @ParameterizedTest
    @ValueSource(strings = {"PRE_SCALE_UP", "POST_SCALE_UP", "PRODUCTION_TRAFFIC_SHIFT", "RECONCILE_SERVICE"})
    void read_documentedPayload_givesEveryField(String stage) {
        HookCall call = HookCall.read(DOCUMENTED.formatted(stage, "").getBytes(StandardCharsets.UTF_8));

        assertThat(call).isInstanceOfSatisfying(HookCall.Invocation.class, invocation -> {
            assertThat(invocation.stage()).isEqualTo(stage);
            assertThat(invocation.executionId()).isEqualTo("f4fcae0f-9bec-41c6-ba87-0eaa0cef8af5");
            assertThat(invocation.deploymentId()).isEqualTo("EZe5RNVLH6PPzHXINuP28");
            assertThat(invocation.serviceArn()).endsWith(":service/my-cluster/my-service");
            assertThat(invocation.targetRevisionArn()).endsWith("/9313423515462893900");
            assertThat(invocation.hookDetails()).isEmpty();
        });
    }

    @Test
    void read_hookDetailsPassedBack_areKept() {
        HookCall call = HookCall.read(DOCUMENTED.formatted("PRE_SCALE_UP", ", \"hookDetails\": {\"correlation_id\": \"ecs-deploy-x\"}")
                .getBytes(StandardCharsets.UTF_8));

        assertThat(((HookCall.Invocation) call).hookDetails().get("correlation_id")).isEqualTo("ecs-deploy-x");
    }

    /** The older, flat shape of the guide, a trigger event, and anything else are not calls this hook acts on. */
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"lifecycleStage\":\"PRE_SCALE_UP\",\"serviceArn\":\"arn:aws:ecs:us-west-2:1:service/c/s\",\"targetServiceRevisionArn\":\"x\"}",
            "{\"version\":\"0\",\"detail-type\":\"AWS ECS Migration Task\",\"source\":\"ecs.migration\",\"detail\":{}}",
            "{\"executionDetails\":{\"targetServiceRevisionArn\":\"r\"},\"lifecycleStage\":\"PRE_SCALE_UP\",\"resourceArn\":\"arn:aws:ecs:us-west-2:1:service/c/s\"}",
            "{\"executionDetails\":{},\"lifecycleStage\":\"PRE_SCALE_UP\",\"resourceArn\":\"arn:aws:ecs:us-west-2:1:service-deployment/c/s/d\"}",
            "[]", "null", "\"PRE_SCALE_UP\"", "{", ""})
    void read_whenNotALifecycleHookCall_isUnreadableWithAReason(String payload) {
        HookCall call = HookCall.read(payload.getBytes(StandardCharsets.UTF_8));

        assertThat(call).isInstanceOfSatisfying(HookCall.Unreadable.class, unreadable -> assertThat(unreadable.reason()).isNotBlank());
    }

    /** Generated payloads: fields of the documented one replaced by hostile JSON values. It never throws. */
    @Test
    void read_onGeneratedHostilePayloads_neverThrows() throws Exception {
        long seed = Long.getLong("hook.seed", System.nanoTime());
        Random random = new Random(seed);
        ObjectMapper json = new ObjectMapper();
        String[] values = {"null", "1e999999999", "-0", "123456789012345678901234567890", "[]", "{}", "true", "\"\"", "\"\\u0000\"",
                "\"" + "x".repeat(100_000) + "\"", "[[[[[[[[[[]]]]]]]]]]", "\"arn:aws:ecs:us-east-1:1:service-deployment/\""};
        String[] fields = {"executionId", "lifecycleStage", "resourceArn", "executionDetails", "hookDetails"};
        String[] details = {"serviceArn", "targetServiceRevisionArn", "productionTrafficWeights"};
        for (int i = 0; i < 2000; i++) {
            ObjectNode payload = (ObjectNode) json.readTree(DOCUMENTED.formatted("PRE_SCALE_UP", ""));
            for (int change = 0; change <= random.nextInt(3); change++) {
                JsonNode value = json.readTree(values[random.nextInt(values.length)]);
                if (random.nextBoolean() && payload.path("executionDetails") instanceof ObjectNode inner) {
                    inner.set(details[random.nextInt(details.length)], value);
                } else {
                    payload.set(fields[random.nextInt(fields.length)], value);
                }
            }
            byte[] sent = json.writeValueAsBytes(payload);
            assertThat(HookCall.read(sent)).as("seed " + seed + ", case " + i).isNotNull();
        }
    }

    /** One deployment is one run: its correlation id is a valid startedBy, the same on every call, and its own. */
    @Test
    void correlationId_isValidStableAndDistinct_forGeneratedDeployments() {
        long seed = Long.getLong("hook.seed", System.nanoTime());
        Random random = new Random(seed);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:+=é";
        Map<String, String> runs = new HashMap<>();
        for (int i = 0; i < 5000; i++) {
            StringBuilder id = new StringBuilder();
            int length = 1 + random.nextInt(random.nextBoolean() ? 25 : 80);
            for (int c = 0; c < length; c++) {
                id.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String arn = "arn:aws:ecs:us-east-1:123456789012:service-deployment/migrations/web/" + id;
            String correlationId = DeploymentHook.correlationId(arn);
            assertThat(correlationId).as("seed " + seed + ": " + arn).matches(Contract.CORRELATION_ID).startsWith("ecs-deploy-");
            assertThat(DeploymentHook.correlationId(arn)).isEqualTo(correlationId);
            String earlier = runs.putIfAbsent(correlationId, arn);
            assertThat(earlier == null || earlier.equals(arn)).as("seed " + seed + ": " + arn + " shares run " + correlationId
                    + " with " + earlier).isTrue();
        }
    }

    @Test
    void correlationId_ofTheDocumentedDeployment_keepsItsId() {
        assertThat(DeploymentHook.correlationId(
                "arn:aws:ecs:us-west-2:123456789012:service-deployment/my-cluster/my-service/EZe5RNVLH6PPzHXINuP28"))
                .isEqualTo("ecs-deploy-EZe5RNVLH6PPzHXINuP28");
    }
}
