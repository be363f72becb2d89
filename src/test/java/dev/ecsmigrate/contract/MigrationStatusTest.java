package dev.ecsmigrate.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MigrationStatusTest {

    @Test
    void statusToJson_isWhatDatabindWouldRead_withNullsLeftOut() throws Exception {
        MigrationStatus status = new MigrationStatus(MigrationStatus.Outcome.REJECTED, "bad \"arn\"\n", "c", "e", null, null, null, null, null);

        assertThat(new ObjectMapper().readTree(status.toJson())).isEqualTo(new ObjectMapper().readTree(
                "{\"status\":\"REJECTED\",\"reason\":\"bad \\\"arn\\\"\uFFFD\",\"correlation_id\":\"c\",\"event_id\":\"e\"}"));
    }

    /**
     * Whatever an event echoes into a status, the status fits the services that carry it: every field is
     * bounded, so even with every character at its longest once escaped (a control character, six bytes),
     * the EventBridge entry stays far below its 256 KB limit.
     */
    @Test
    void anyStatus_fitsAnEventBridgeEntry_byConstruction() throws Exception {
        String worst = "\u0001".repeat(500_000);
        String wide = "\uD83D\uDE00".repeat(500_000);
        for (String value : new String[] {worst, wide}) {
            MigrationStatus status = new MigrationStatus(MigrationStatus.Outcome.REJECTED, value, value, value, value, value, value, value, value);

            String json = status.toJson();
            int entry = "ecs.migration".length() + "AWS ECS Migration Task Status".length() + json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                    + status.taskArn().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;

            assertThat(entry).isLessThan(256 * 1024 / 10);
            assertThat(status.reason()).hasSizeLessThanOrEqualTo(MigrationStatus.MAX_REASON).endsWith("...");
            assertThat(status.correlationId()).hasSizeLessThanOrEqualTo(MigrationStatus.MAX_FIELD);
            assertThat(new ObjectMapper().readTree(json).path("reason").asText()).isEqualTo(status.reason());
        }
    }

    @Test
    void bounded_neverSplitsACharacter_andReplacesUnpairedSurrogates() {
        assertThat(Text.fit("a".repeat(6) + "\uD83D\uDE00" + "b".repeat(10), 10)).isEqualTo("a".repeat(6) + "...");
        assertThat(Text.fit("x\uD800y\uDC00z\uD83D\uDE00", 100)).isEqualTo("x\uFFFDy\uFFFDz\uD83D\uDE00");
        assertThat(Text.fit("a\nb\rc\u0000d\u007f", 100)).isEqualTo("a\uFFFDb\uFFFDc\uFFFDd\uFFFD");
        assertThat(Text.fit("short", 10)).isEqualTo("short");
        assertThat(Text.fit(null, 10)).isNull();
    }
}
