package dev.ecsmigrate;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.local.LocalContext;
import dev.ecsmigrate.start.MigrationLock;
import dev.ecsmigrate.start.MigrationStarter;
import dev.ecsmigrate.start.MigrationTasks;
import dev.ecsmigrate.start.RunRecords;
import dev.ecsmigrate.start.StatusPublisher;
import dev.ecsmigrate.testing.Fixtures;
import dev.ecsmigrate.testing.SampleEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.ecsmigrate.testing.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.lenient;
import static org.mockito.Mockito.verify;

/** Feeds the sample events to the handler byte for byte, as the Lambda runtime does. */
@ExtendWith(MockitoExtension.class)
class MigrationHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TASK = "arn:aws:ecs:us-east-1:123456789012:task/migrations/abc";

    @Mock
    private MigrationTasks tasks;
    @Mock
    private StatusPublisher publisher;
    @Mock
    private MigrationLock lock;
    @Mock
    private RunRecords records;

    private final List<String> lines = new ArrayList<>();
    private final LocalContext context = new LocalContext(lines::add);

    private JsonNode invoke(RequestStreamHandler handler, byte[] event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, context);
        return JSON.readTree(out.toByteArray());
    }

    private MigrationHandler handler() {
        RunnerConfig config = Fixtures.config();
        return new MigrationHandler(new MigrationStarter(config, Fixtures.validator(config), tasks, lock, records, java.time.Clock.systemUTC()),
                publisher);
    }

    static Stream<SampleEvents.Sample> samples() {
        return SampleEvents.envelopes();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void handleRequest_withSampleEvent_returnsExpectedStatus(SampleEvents.Sample sample) throws Exception {
        lenient().when(lock.claim(any())).thenReturn(new MigrationLock.Taken());
        lenient().when(tasks.start(any(), any())).thenReturn(new MigrationTasks.Started(TASK));
        String file = sample.file();
        String expected = sample.expected();

        JsonNode status = invoke(handler(), event(file));

        assertThat(status.path("status").asText()).isEqualTo(expected);
        if (!expected.equals("STARTED")) {
            assertThat(status.path("reason").asText()).isNotBlank();
        }
        JsonNode sent = JSON.readTree(event(file));
        if (sent.path("detail").has("taskdef_arn")) {
            assertThat(status.path("task_definition").asText()).isEqualTo(sent.path("detail").path("taskdef_arn").asText());
        }
        assertThat(status.path("event_id").asText()).isEqualTo(sent.path("id").asText());
    }

    @Test
    void handleRequest_logsAndPublishesTheSameStatusItReturns() throws Exception {
        lenient().when(lock.claim(any())).thenReturn(new MigrationLock.Taken());
        lenient().when(tasks.start(any(), any())).thenReturn(new MigrationTasks.Started(TASK));

        JsonNode returned = invoke(handler(), event("migration-with-correlation-id.json"));

        assertThat(lines).hasSize(1);
        assertThat(JSON.readTree(lines.getFirst())).isEqualTo(returned);
        verify(publisher).publish(any(MigrationStatus.class), eq(lines.getFirst()));
        assertThat(returned.toString()).isEqualTo("{\"status\":\"STARTED\",\"reason\":\"started " + Fixtures.TASK_DEFINITION
                + " on cluster migrations\",\"correlation_id\":\"gh-7301122334-1\",\"event_id\":\"0d4c5b8e-2f55-4d0b-9a0e-7c1f7f2e9b11\","
                + "\"cluster\":\"migrations\",\"task_definition\":\"" + Fixtures.TASK_DEFINITION + "\",\"task_arn\":\"" + TASK
                + "\",\"started_by\":\"gh-7301122334-1\",\"container\":\"app\"}");
    }

    @Test
    void handleRequest_whenTheRecordCannotBeWritten_logsTheStatusThenThrows_andPublishesNothing() {
        doThrow(new IllegalStateException("table unreachable")).when(records).record(any());

        assertThatThrownBy(() -> invoke(handler(), event("rejected-bad-arn.json"))).hasMessageContaining("table unreachable");
        assertThat(lines).singleElement().asString().contains("\"status\":\"REJECTED\"");
        verify(publisher, org.mockito.Mockito.never()).publish(any(), anyString());
    }

    @Test
    void handleRequest_whenPublishingFails_throwsSoLambdaRetries() {
        doThrow(new IllegalStateException("EventBridge did not accept")).when(publisher).publish(any(), anyString());

        assertThatThrownBy(() -> invoke(handler(), event("rejected-bad-arn.json"))).hasMessageContaining("EventBridge did not accept");
        assertThat(lines).hasSize(1);
    }

    @Test
    void handleRequest_whenGarbage_returnsRejectedAndNeverThrows() throws Exception {
        JsonNode status = invoke(handler(), "\u0000not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(status.path("status").asText()).isEqualTo("REJECTED");
        assertThat(status.path("reason").asText()).startsWith("the event is not valid JSON");
    }
}
