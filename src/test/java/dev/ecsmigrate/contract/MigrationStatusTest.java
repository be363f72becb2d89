package dev.ecsmigrate.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MigrationStatusTest {

    @Test
    void statusToJson_isWhatDatabindWouldRead_withNullsLeftOut() throws Exception {
        MigrationStatus status = new MigrationStatus(MigrationStatus.Outcome.REJECTED, "bad \"arn\"\n", "c", "e", null, null, null, null, null);

        assertThat(new ObjectMapper().readTree(status.toJson())).isEqualTo(new ObjectMapper().readTree(
                "{\"status\":\"REJECTED\",\"reason\":\"bad \\\"arn\\\"\\n\",\"correlation_id\":\"c\",\"event_id\":\"e\"}"));
    }
}
