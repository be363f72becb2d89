package dev.ecsmigrate.testing;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.Iterator;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the function must answer to a trigger event, written from CONTRACT.md section 1 and 2 alone and
 * never from the validator: an independent reading of the same rules, for generated events to be
 * checked against. It is configured like {@link Fixtures#env()}: us-east-1, account 123456789012,
 * families app and api.
 */
public final class ContractOracle {

    /** The status the contract calls for, and the family whose lock it concerns, if any. */
    public record Expected(String status, String family, String correlationId) {
    }

    private static final String REGION = "us-east-1";
    private static final String ACCOUNT = "123456789012";
    private static final Set<String> FAMILIES = Set.of("app", "api");
    private static final Set<String> DETAIL_FIELDS = Set.of("taskdef_arn", "correlation_id", "dry_run");
    // arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<revision>, written out afresh.
    private static final Pattern TASK_DEFINITION =
            Pattern.compile("^arn:([^:]+):ecs:([^:]+):([^:]+):task-definition/([^:/]+):([^:]+)$");
    private static final Pattern FAMILY = Pattern.compile("^[a-zA-Z0-9_-]{1,255}$");
    private static final Pattern REVISION = Pattern.compile("^[1-9][0-9]*$");
    private static final Pattern STARTED_BY = Pattern.compile("^[a-zA-Z0-9_/-]{1,36}$");

    // Strict JSON, as EventBridge delivers it: one document, no duplicate names.
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private ContractOracle() {
    }

    /**
     * The status for an event, given the correlation ids of the runs that have started a task (CONTRACT.md
     * section 4: a repeated run gets ALREADY_RUNNING with its own task, and starts nothing).
     */
    public static Expected expected(byte[] event, Set<String> started) {
        Expected expected = expected(event);
        return expected.status().equals("STARTED") && started.contains(expected.correlationId())
                ? new Expected("ALREADY_RUNNING", expected.family(), expected.correlationId()) : expected;
    }

    public static Expected expected(byte[] event) {
        JsonNode envelope;
        try {
            envelope = JSON.readTree(event);
        } catch (Exception notJson) {
            return rejected();
        }
        if (envelope == null || !envelope.isObject()) {
            return rejected();
        }
        if (!text(envelope, "source", "ecs.migration") || !text(envelope, "detail-type", "AWS ECS Migration Task")) {
            return rejected();
        }
        JsonNode id = envelope.get("id");
        if (id != null && !id.isTextual()) {
            return rejected();
        }
        JsonNode detail = envelope.get("detail");
        if (detail == null || !detail.isObject()) {
            return rejected();
        }
        for (Iterator<String> names = detail.fieldNames(); names.hasNext(); ) {
            if (!DETAIL_FIELDS.contains(names.next())) {
                return rejected();
            }
        }
        JsonNode arn = detail.get("taskdef_arn");
        if (arn == null || !arn.isTextual()) {
            return rejected();
        }
        Matcher parts = TASK_DEFINITION.matcher(arn.asText());
        if (!parts.matches() || !parts.group(1).equals("aws") || !parts.group(2).equals(REGION) || !parts.group(3).equals(ACCOUNT)
                || !FAMILY.matcher(parts.group(4)).matches() || !FAMILIES.contains(parts.group(4))
                || !REVISION.matcher(parts.group(5)).matches() || parts.group(5).length() > 10
                || Long.parseLong(parts.group(5)) > Integer.MAX_VALUE) {
            return rejected();
        }
        JsonNode correlation = detail.get("correlation_id");
        if (correlation != null && !correlation.isTextual()) {
            return rejected();
        }
        String correlationId = correlation != null ? correlation.asText() : id == null ? null : id.asText();
        if (correlationId == null || !STARTED_BY.matcher(correlationId).matches()) {
            return rejected();
        }
        JsonNode dryRun = detail.get("dry_run");
        if (dryRun != null && !dryRun.isBoolean()) {
            return rejected();
        }
        boolean dry = dryRun != null && dryRun.asBoolean();
        return new Expected(dry ? "DRY_RUN" : "STARTED", parts.group(4), correlationId);
    }

    private static boolean text(JsonNode object, String field, String expected) {
        JsonNode value = object.get(field);
        return value != null && value.isTextual() && value.asText().equals(expected);
    }

    private static Expected rejected() {
        return new Expected("REJECTED", null, null);
    }
}
