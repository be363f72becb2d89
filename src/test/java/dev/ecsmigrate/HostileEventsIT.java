package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecsmigrate.local.LocalContext;
import dev.ecsmigrate.testing.ContractOracle;
import dev.ecsmigrate.testing.FakeAws;
import dev.ecsmigrate.testing.Fixtures;
import dev.ecsmigrate.testing.HostileEvents;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract's promises for malformed input, tried on 10,000 generated events per run: each goes through
 * the handler as the Lambda runtime calls it (raw bytes), with the real SDK talking to a scripted endpoint
 * that enforces AWS's documented input limits. For every event: no throw, exactly one status (one log line,
 * one publish), the status the contract calls for (computed by {@link ContractOracle}, not by the validator),
 * RunTask exactly for valid non-dry-run events, and every status accepted by EventBridge.
 *
 * <p>Each run uses a new seed, printed first; {@code -Dhostile.seed=N} replays a run, {@code -Dhostile.events=N}
 * changes its size.
 */
class HostileEventsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anyEvent_endsAsTheContractsOneStatus() throws Exception {
        long seed = Long.getLong("hostile.seed", System.nanoTime());
        int events = Integer.getInteger("hostile.events", 10_000);
        System.out.println("hostile events: seed " + seed + " (replay with -Dhostile.seed=" + seed + ")");
        HostileEvents generator = new HostileEvents(seed);
        Map<String, Integer> statuses = new TreeMap<>();
        int throwing = 0;
        int startsExpected = 0;

        try (FakeAws aws = new FakeAws().withoutRecording()) {
            Map<String, String> env = Fixtures.env();
            env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
            MigrationHandler handler = Handlers.trigger(env);

            for (int n = 0; n < events; n++) {
                byte[] event = generator.next();
                String label = "event " + n + " of seed " + seed + ": " + preview(event);
                ContractOracle.Expected expected = ContractOracle.expected(event);
                int runTasksBefore = aws.calls("ecs:RunTask");
                int publishesBefore = aws.calls("events:PutEvents");
                List<String> lines = new ArrayList<>();
                ByteArrayOutputStream out = new ByteArrayOutputStream();

                try {
                    handler.handleRequest(new ByteArrayInputStream(event), out, new LocalContext(lines::add));
                } catch (Throwable thrown) {
                    throwing++;
                    throw new AssertionError("the handler threw on " + label, thrown);
                }

                JsonNode status = JSON.readTree(out.toByteArray());
                String outcome = status.path("status").asText();
                statuses.merge(outcome, 1, Integer::sum);
                assertThat(lines).as("one status line for %s", label).hasSize(1);
                assertThat(JSON.readTree(lines.getFirst().getBytes(StandardCharsets.UTF_8))).as(label).isEqualTo(status);
                assertThat(outcome).as("status for %s (reason: %s)", label, status.path("reason").asText()).isEqualTo(expected.status());
                assertThat(aws.calls("events:PutEvents") - publishesBefore).as("published once: %s", label).isEqualTo(1);
                boolean starts = expected.status().equals("STARTED");
                if (starts) {
                    startsExpected++;
                    assertThat(status.path("task_arn").asText()).as(label).startsWith("arn:aws:ecs:");
                    assertThat(status.path("started_by").asText()).as(label).isEqualTo(expected.correlationId());
                }
                assertThat(aws.calls("ecs:RunTask") - runTasksBefore).as("RunTask calls for %s", label).isEqualTo(starts ? 1 : 0);
                assertThat(aws.violations()).as("requests beyond AWS's limits, after %s", label).isEmpty();
            }

            System.out.printf("hostile events: %d generated, %d throws, statuses %s, RunTask calls %d for %d valid non-dry-run events,"
                            + " PutEvents calls %d, limit violations %d, calls %s%n",
                    events, throwing, statuses, aws.calls("ecs:RunTask"), startsExpected, aws.calls("events:PutEvents"),
                    aws.violations().size(), aws.callCounts());
            assertThat(statuses.keySet()).as("every kind of outcome was generated").contains("REJECTED", "STARTED", "DRY_RUN");
        }
    }

    private static String preview(byte[] event) {
        String text = new String(event, StandardCharsets.UTF_8);
        return text.length() > 300 ? text.substring(0, 300) + "... (" + event.length + " bytes)" : text;
    }
}
