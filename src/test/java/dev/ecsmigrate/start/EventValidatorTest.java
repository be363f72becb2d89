package dev.ecsmigrate.start;

import dev.ecsmigrate.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static dev.ecsmigrate.testing.Fixtures.TASK_DEFINITION;
import static org.assertj.core.api.Assertions.assertThat;

class EventValidatorTest {

    private final EventValidator validator = Fixtures.validator(Fixtures.config());

    private static byte[] envelope(String detail) {
        return envelope("ecs.migration", "AWS ECS Migration Task", detail);
    }

    private static byte[] envelope(String source, String detailType, String detail) {
        return ("""
                {"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"%s","source":"%s",
                 "account":"123456789012","time":"2026-11-22T17:00:00Z","region":"us-east-1","resources":[],"detail":%s}
                """.formatted(detailType, source, detail)).getBytes(StandardCharsets.UTF_8);
    }

    private String rejection(byte[] event) {
        Validation result = validator.validate(event);
        assertThat(result).isInstanceOf(Validation.Rejected.class);
        return ((Validation.Rejected) result).reason();
    }

    private MigrationRequest accepted(byte[] event) {
        Validation result = validator.validate(event);
        assertThat(result).isInstanceOf(Validation.Accepted.class);
        return ((Validation.Accepted) result).request();
    }

    @Test
    void validate_whenOnlyTaskDefinition_usesEventIdAsCorrelationId() {
        MigrationRequest request = accepted(envelope("{\"taskdef_arn\":\"" + TASK_DEFINITION + "\"}"));

        assertThat(request.correlationId()).isEqualTo("6a7e8feb-b491-4cf7-a9f1-bf3703467718");
        assertThat(request.eventId()).isEqualTo("6a7e8feb-b491-4cf7-a9f1-bf3703467718");
        assertThat(request.taskDefinition().family()).isEqualTo("app");
        assertThat(request.taskDefinition().revision()).isEqualTo(42);
        assertThat(request.dryRun()).isFalse();
    }

    @Test
    void validate_whenCorrelationIdAndDryRun_keepsBoth() {
        MigrationRequest request = accepted(envelope(
                "{\"taskdef_arn\":\"" + TASK_DEFINITION + "\",\"correlation_id\":\"gh-7301122334/1_a\",\"dry_run\":true}"));

        assertThat(request.correlationId()).isEqualTo("gh-7301122334/1_a");
        assertThat(request.dryRun()).isTrue();
    }

    @Test
    void validate_whenSourceWrong_namesSource() {
        assertThat(rejection(envelope("aws.ecs", "AWS ECS Migration Task", "{\"taskdef_arn\":\"" + TASK_DEFINITION + "\"}")))
                .isEqualTo("source must be 'ecs.migration', got the string 'aws.ecs'");
    }

    @Test
    void validate_whenDetailTypeWrong_namesDetailType() {
        assertThat(rejection(envelope("ecs.migration", "AWS ECS Migration Task Status", "{\"taskdef_arn\":\"" + TASK_DEFINITION + "\"}")))
                .isEqualTo("detail-type must be 'AWS ECS Migration Task', got the string 'AWS ECS Migration Task Status'");
    }

    @Test
    void validate_whenDetailIsAString_rejectsWithoutThrowing() {
        assertThat(rejection(envelope("\"{\\\"taskdef_arn\\\":\\\"x\\\"}\"")))
                .startsWith("detail must be a JSON object with taskdef_arn, got the string");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[1,2]", "null", "{\"detail\":", "42"})
    void validate_whenNotAnEnvelope_rejects(String body) {
        Validation result = validator.validate(body.getBytes(StandardCharsets.UTF_8));

        assertThat(result).isInstanceOf(Validation.Rejected.class);
        assertThat(((Validation.Rejected) result).reason()).containsAnyOf("not valid JSON", "must be a JSON object", "source must be");
    }

    @Test
    void validate_whenUnknownFields_namesEachOne() {
        assertThat(rejection(envelope("{\"taskdef_arn\":\"" + TASK_DEFINITION + "\",\"dryrun\":true,\"cluster\":\"x\"}")))
                .isEqualTo("detail has unknown fields 'dryrun', 'cluster': the fields allowed are taskdef_arn, correlation_id and dry_run");
    }

    @Test
    void validate_whenTaskDefinitionMissing_saysItIsRequired() {
        assertThat(rejection(envelope("{\"correlation_id\":\"abc\"}")))
                .startsWith("detail.taskdef_arn is required");
    }

    @Test
    void validate_whenArnHasNoRevision_suggestsAddingOne() {
        assertThat(rejection(envelope("{\"taskdef_arn\":\"arn:aws:ecs:us-east-1:123456789012:task-definition/app\"}")))
                .contains("must be a full task-definition ARN with a revision")
                .contains("the revision is missing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"app:42", "arn:aws:ecs:us-east-1:123456789012:service/app:42",
            "arn:aws:ecs:us-east-1:1234:task-definition/app:42", "arn:aws:ecs:us-east-1:123456789012:task-definition/app:0"})
    void validate_whenArnMalformed_showsExpectedShape(String arn) {
        assertThat(rejection(envelope("{\"taskdef_arn\":\"" + arn + "\"}")))
                .contains("arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<revision>")
                .contains("got '" + arn + "'");
    }

    @Test
    void validate_whenOtherRegion_namesBothRegions() {
        assertThat(rejection(envelope("{\"taskdef_arn\":\"arn:aws:ecs:eu-west-1:123456789012:task-definition/app:42\"}")))
                .startsWith("detail.taskdef_arn must be in the function's region us-east-1, got region eu-west-1");
    }

    @Test
    void validate_whenOtherAccount_namesBothAccounts() {
        assertThat(rejection(envelope("{\"taskdef_arn\":\"arn:aws:ecs:us-east-1:210987654321:task-definition/app:42\"}")))
                .isEqualTo("detail.taskdef_arn must be in the function's account 123456789012, got account 210987654321");
    }

    @Test
    void validate_whenFamilyNotAllowed_listsAllowedFamilies() {
        assertThat(rejection(envelope("{\"taskdef_arn\":\"arn:aws:ecs:us-east-1:123456789012:task-definition/worker:1\"}")))
                .isEqualTo("task-definition family 'worker' is not allowed: the allowed families are api, app (add it to the AllowedFamilies parameter)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "semi;colon", "0123456789012345678901234567890123456", "ünïcode"})
    void validate_whenCorrelationIdInvalid_quotesTheLimit(String id) {
        assertThat(rejection(envelope("{\"taskdef_arn\":\"" + TASK_DEFINITION + "\",\"correlation_id\":\"" + id + "\"}")))
                .startsWith("detail.correlation_id must be 1-36 characters from A-Z a-z 0-9 _ - /");
    }

    @Test
    void validate_whenCorrelationIdIs36Characters_accepts() {
        String id = "a".repeat(36);
        assertThat(accepted(envelope("{\"taskdef_arn\":\"" + TASK_DEFINITION + "\",\"correlation_id\":\"" + id + "\"}")).correlationId())
                .isEqualTo(id);
    }

    @Test
    void validate_whenCorrelationIdNotAString_rejects() {
        assertThat(rejection(envelope("{\"taskdef_arn\":\"" + TASK_DEFINITION + "\",\"correlation_id\":42}")))
                .isEqualTo("detail.correlation_id must be a string of 1-36 characters from A-Z a-z 0-9 _ - /, got the number 42");
    }

    @Test
    void validate_whenDryRunIsAString_rejects() {
        assertThat(rejection(envelope("{\"taskdef_arn\":\"" + TASK_DEFINITION + "\",\"dry_run\":\"true\"}")))
                .isEqualTo("detail.dry_run must be true or false (a JSON boolean), got the string 'true'");
    }

    @Test
    void validate_whenNoIdAndNoCorrelationId_asksForCorrelationId() {
        byte[] event = ("{\"source\":\"ecs.migration\",\"detail-type\":\"AWS ECS Migration Task\",\"detail\":{\"taskdef_arn\":\""
                + TASK_DEFINITION + "\"}}").getBytes(StandardCharsets.UTF_8);
        assertThat(rejection(event)).contains("set detail.correlation_id");
    }

    @Test
    void validate_whenRejected_keepsIdsForTheStatus() {
        Validation result = validator.validate(envelope(
                "{\"taskdef_arn\":\"" + TASK_DEFINITION + "\",\"correlation_id\":\"gh-1\",\"extra\":1}"));

        assertThat(result).isEqualTo(new Validation.Rejected(
                "detail has unknown field 'extra': the fields allowed are taskdef_arn, correlation_id and dry_run",
                "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "gh-1", TASK_DEFINITION, true));
    }

    @Test
    void validate_whenRejected_saysWhetherTheEnvelopeIsWellFormedEnoughToRecord() {
        assertThat(((Validation.Rejected) validator.validate(envelope("{\"correlation_id\":\"gh-1\"}"))).wellFormed()).isTrue();
        assertThat(((Validation.Rejected) validator.validate(envelope("aws.ecs", "AWS ECS Migration Task", "{}"))).wellFormed()).isFalse();
        assertThat(((Validation.Rejected) validator.validate("[]".getBytes(StandardCharsets.UTF_8))).wellFormed()).isFalse();
        byte[] noId = ("{\"source\":\"ecs.migration\",\"detail-type\":\"AWS ECS Migration Task\",\"detail\":{}}").getBytes(StandardCharsets.UTF_8);
        assertThat(((Validation.Rejected) validator.validate(noId)).wellFormed()).isFalse();
    }

    @Test
    void validate_whenPartitionIsNotTheFunctions_rejectsLikeAnotherRegion() {
        assertThat(rejection(envelope("{\"taskdef_arn\":\"arn:aws-cn:ecs:us-east-1:123456789012:task-definition/app:42\"}")))
                .startsWith("detail.taskdef_arn must be in the function's partition aws, got partition aws-cn");
    }
}
