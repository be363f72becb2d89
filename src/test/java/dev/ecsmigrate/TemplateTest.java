package dev.ecsmigrate;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecsmigrate.contract.Contract;
import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.local.LocalContext;
import dev.ecsmigrate.testing.SampleEvents;
import dev.ecsmigrate.testing.Template;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.event.ruler.Machine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.ecsmigrate.testing.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;

/** What template.yaml promises: the handler it names loads, the rule matches exactly the trigger, and the policy is narrow. */
class TemplateTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Machine triggerRule() throws Exception {
        Machine machine = new Machine();
        machine.addRule("trigger", JSON.writeValueAsString(Template.triggerPattern()));
        return machine;
    }

    @Test
    void handlerString_namesARequestStreamHandlerThatLambdaCanBuild() throws Exception {
        String[] parts = Template.handler().split("::");
        assertThat(parts).hasSize(2);
        Class<?> type = Class.forName(parts[0]);
        assertThat(RequestStreamHandler.class).isAssignableFrom(type);
        assertThat(type.getMethod(parts[1], java.io.InputStream.class, java.io.OutputStream.class,
                com.amazonaws.services.lambda.runtime.Context.class)).isNotNull();

        // The no-argument constructor is the one Lambda calls. The test JVM has no runner configuration
        // (the pom clears it), so every event must come back REJECTED, naming what is missing.
        RequestStreamHandler handler = (RequestStreamHandler) type.getConstructor().newInstance();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event("migration.json")), out, new LocalContext(line -> { }));
        JsonNode status = JSON.readTree(out.toString(StandardCharsets.UTF_8));

        assertThat(status.path("status").asText()).isEqualTo("REJECTED");
        assertThat(status.path("reason").asText()).startsWith("invalid configuration:").contains("CLUSTER is not set");
    }

    /** Every function of the template names a handler that Lambda can load, with the no-argument constructor it calls. */
    @Test
    void everyFunction_namesARequestStreamHandlerWithANoArgumentConstructor() throws Exception {
        List<String> functions = new ArrayList<>();
        Template.resources().forEachEntry((id, resource) -> {
            if (resource.path("Type").asText().equals("AWS::Serverless::Function")) {
                functions.add(id);
            }
        });
        assertThat(functions).contains("MigrationFunction", "CompletionFunction", "DeploymentHookFunction");
        // sam build builds functions of one CodeUri once only when their Metadata are alike; else once per function.
        assertThat(functions.stream().map(id -> Template.resources().path(id).path("Metadata")).distinct())
                .as("the functions' Metadata").hasSize(1);
        for (String id : functions) {
            String[] parts = Template.function(id).path("Handler").asText().split("::");
            Class<?> type = Class.forName(parts[0]);
            assertThat(RequestStreamHandler.class).as(id).isAssignableFrom(type);
            assertThat(type.getConstructor()).as(id + "'s no-argument constructor").isNotNull();
            assertThat(parts[1]).isEqualTo("handleRequest");
            assertThat(Template.function(id).path("Runtime").asText()).as(id).isEqualTo("java25");
            assertThat(Template.function(id).path("Environment").path("Variables").path("TABLE_NAME").isMissingNode()).as(id).isFalse();
        }
    }

    @Test
    void function_runsOnJava25_andLetsInvocationsRunSideBySide() {
        JsonNode function = Template.function();
        assertThat(function.path("Runtime").asText()).isEqualTo("java25");
        // The lock keeps migrations apart (LockIT proves it under parallel invocations); concurrency 1 would only queue events.
        assertThat(function.path("ReservedConcurrentExecutions").asInt()).isGreaterThan(1);
        assertThat(function.path("SnapStart").path("ApplyOn").asText()).isEqualTo("PublishedVersions");
        assertThat(function.path("AutoPublishAlias").asText()).isNotBlank();
        assertThat(function.path("LoggingConfig").path("LogFormat").asText()).isEqualTo("JSON");
        assertThat(function.path("EventInvokeConfig").path("MaximumRetryAttempts").asInt()).isBetween(0, 2);
        assertThat(function.path("EventInvokeConfig").path("DestinationConfig").path("OnFailure").path("Type").asText()).isEqualTo("SQS");
        JsonNode trigger = function.path("Events").path("Trigger").path("Properties");
        assertThat(trigger.path("DeadLetterConfig").path("Arn").isMissingNode()).isFalse();
        assertThat(trigger.path("RetryPolicy").path("MaximumEventAgeInSeconds").asInt()).isPositive();
        assertThat(Template.resources().path("MigrationFunctionLogGroup").path("Properties").path("RetentionInDays").isMissingNode()).isFalse();
    }

    @Test
    void table_isOnDemandEncryptedWithATtlAndKeptOnDelete() {
        JsonNode table = Template.resources().path("MigrationTable");
        JsonNode properties = table.path("Properties");
        assertThat(table.path("Type").asText()).isEqualTo("AWS::DynamoDB::Table");
        assertThat(table.path("DeletionPolicy").asText()).isEqualTo("Retain");
        assertThat(properties.path("BillingMode").asText()).isEqualTo("PAY_PER_REQUEST");
        assertThat(properties.path("SSESpecification").path("SSEEnabled").asBoolean()).isTrue();
        assertThat(properties.path("TimeToLiveSpecification").path("AttributeName").asText()).isEqualTo("expires_at");
        assertThat(properties.path("TimeToLiveSpecification").path("Enabled").asBoolean()).isTrue();
        assertThat(properties.path("KeySchema").toString()).contains("\"AttributeName\":\"id\"", "\"KeyType\":\"HASH\"");
        assertThat(Template.function().path("Environment").path("Variables").path("TABLE_NAME").isMissingNode()).isFalse();
    }

    static Stream<SampleEvents.Sample> samples() {
        return SampleEvents.envelopes();
    }

    /**
     * The rule matches exactly the samples whose source and detail-type are the contract's trigger values:
     * the expectation comes from the contract, the pattern from template.yaml.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void triggerPattern_matchesExactlyTheTriggerEvents(SampleEvents.Sample sample) throws Exception {
        JsonNode event = JSON.readTree(sample.bytes());
        boolean trigger = Contract.SOURCE.equals(event.path("source").asText())
                && Contract.TRIGGER_DETAIL_TYPE.equals(event.path("detail-type").asText());

        List<String> matched = triggerRule().rulesForJSONEvent(new String(sample.bytes(), StandardCharsets.UTF_8));

        if (trigger) {
            assertThat(matched).containsExactly("trigger");
        } else {
            assertThat(matched).isEmpty();
        }
        if (sample.kind() == SampleEvents.Kind.STATUS) {
            assertThat(trigger).as("a status sample must not carry the trigger's source and detail-type").isFalse();
        }
    }

    @Test
    void triggerPattern_neverMatchesAnyStatusTheFunctionPublishes() throws Exception {
        for (MigrationStatus.Outcome outcome : MigrationStatus.Outcome.values()) {
            String status = """
                    {"version":"0","id":"1","detail-type":"%s","source":"ecs.migration","account":"123456789012",
                     "time":"2026-11-22T17:00:00Z","region":"us-east-1","resources":[],"detail":{"status":"%s","reason":"r"}}
                    """.formatted(Contract.STATUS_DETAIL_TYPE, outcome);
            assertThat(triggerRule().rulesForJSONEvent(status)).as(outcome.name()).isEmpty();
        }
    }

    @Test
    void policy_runTaskIsLimitedToTheClusterAndPassRoleToEcsTasks() {
        List<JsonNode> statements = new ArrayList<>();
        for (JsonNode policy : Template.function().path("Policies")) {
            // A managed policy of the template, or an inline one.
            JsonNode document = policy.isTextual()
                    ? Template.resources().path(policy.asText()).path("Properties").path("PolicyDocument") : policy;
            document.path("Statement").forEach(statements::add);
        }
        JsonNode runTask = statement(statements, "ecs:RunTask");
        assertThat(runTask.path("Condition").path("ArnEquals").has("ecs:cluster")).isTrue();
        assertThat(runTask.path("Resource").toString()).contains("task-definition/");
        JsonNode passRole = statement(statements, "iam:PassRole");
        assertThat(passRole.path("Condition").path("StringEquals").path("iam:PassedToService").asText()).isEqualTo("ecs-tasks.amazonaws.com");
        assertThat(statement(statements, "ecs:TagResource").path("Condition").path("StringEquals").path("ecs:CreateAction").asText())
                .isEqualTo("RunTask");
        assertThat(statement(statements, "events:PutEvents").path("Resource").asText()).contains("event-bus/");
        assertThat(statements).noneMatch(s -> s.path("Action").asText().endsWith("*"));
    }

    private static JsonNode statement(List<JsonNode> statements, String action) {
        return statements.stream().filter(s -> s.path("Action").asText().equals(action)).findFirst()
                .orElseThrow(() -> new AssertionError("no statement allows " + action));
    }
}
