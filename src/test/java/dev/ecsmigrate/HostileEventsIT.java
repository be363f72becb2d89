package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecsmigrate.local.LocalContext;
import dev.ecsmigrate.testing.ContractOracle;
import dev.ecsmigrate.testing.FakeAws;
import dev.ecsmigrate.testing.Fixtures;
import dev.ecsmigrate.testing.HostileEvents;
import dev.ecsmigrate.testing.MotoServer;
import dev.ecsmigrate.testing.RunTable;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract's promises for malformed input, tried on 10,000 generated events per run: each goes through
 * the handler as the Lambda runtime calls it (raw bytes), with the real SDK talking to a scripted endpoint
 * that enforces AWS's documented input limits. For every event: no throw, exactly one status (one log line,
 * one publish), the status the contract calls for (computed by {@link ContractOracle}, not by the validator),
 * RunTask exactly for valid non-dry-run events, and every status accepted by EventBridge.
 *
 * <p>Each run uses a new seed, printed first; {@code -Dhostile.seed=N} replays a run, {@code -Dhostile.events=N}
 * changes its size, {@code -Dhostile.lanes=N} how many lanes of events run side by side.
 */
class HostileEventsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one lane of events came to. */
    private record Tally(Map<String, Integer> statuses, int runTasks, int startsExpected, int publishes, int violations,
                         Map<String, Integer> calls) {
    }

    @Test
    void anyEvent_endsAsTheContractsOneStatus() throws Exception {
        long seed = Long.getLong("hostile.seed", System.nanoTime());
        int events = Integer.getInteger("hostile.events", 10_000);
        int lanes = Integer.getInteger("hostile.lanes", 2);
        System.out.println("hostile events: seed " + seed + " (replay with -Dhostile.seed=" + seed + ")");
        MotoServer.get().reset();

        // Lanes run side by side, each with its own table, scripted endpoint and generator (seed + lane).
        ExecutorService pool = Executors.newFixedThreadPool(lanes);
        List<Future<Tally>> running = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            int number = lane;
            running.add(pool.submit(() -> lane(number, seed + number, events / lanes + (number < events % lanes ? 1 : 0))));
        }
        Map<String, Integer> statuses = new TreeMap<>();
        Map<String, Integer> calls = new TreeMap<>();
        int runTasks = 0;
        int startsExpected = 0;
        int publishes = 0;
        int violations = 0;
        try {
            for (Future<Tally> lane : running) {
                Tally tally = lane.get();
                tally.statuses().forEach((status, count) -> statuses.merge(status, count, Integer::sum));
                tally.calls().forEach((call, count) -> calls.merge(call, count, Integer::sum));
                runTasks += tally.runTasks();
                startsExpected += tally.startsExpected();
                publishes += tally.publishes();
                violations += tally.violations();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof AssertionError failure) {
                throw failure;
            }
            throw e;
        } finally {
            pool.shutdownNow();
        }

        System.out.printf("hostile events: %d generated, 0 throws, statuses %s, RunTask calls %d for %d valid non-dry-run events of"
                + " new runs, PutEvents calls %d, limit violations %d, calls %s%n", events, statuses, runTasks, startsExpected, publishes,
                violations, calls);
        assertThat(statuses.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(events);
        assertThat(statuses.keySet()).as("every kind of outcome was generated").contains("REJECTED", "STARTED", "DRY_RUN", "ALREADY_RUNNING");
    }

    private static Tally lane(int number, long seed, int events) throws Exception {
        String tableName = "migrations-" + number;
        HostileEvents generator = new HostileEvents(seed);
        Map<String, Integer> statuses = new TreeMap<>();
        int startsExpected = 0;
        // moto answers one request at a time per process: a lane of its own keeps both cores busy.
        MotoServer moto = number == 0 ? MotoServer.get() : MotoServer.another();
        // Every task stops at once, so each new run finds its family's lock stale and takes it over: every valid
        // event walks the whole path (claim, holder check, take-over, RunTask, record).
        try (RunTable table = new RunTable(moto.endpoint(), tableName).create();
             FakeAws aws = new FakeAws().withoutRecording().forwardDynamoDbTo(moto.endpoint()).tasksReport("STOPPED")) {
            Set<String> ran = new HashSet<>();
            Map<String, String> env = Fixtures.env();
            env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
            env.put("TABLE_NAME", tableName);
            MigrationHandler handler = Handlers.trigger(env);

            for (int n = 0; n < events; n++) {
                if (n > 0 && n % 500 == 0) {
                    // moto copies a table for each transaction, so a table of thousands of runs slows to a crawl:
                    // every 500 events the table starts empty again, and so do the runs the oracle knows of.
                    table.drop();
                    table.create();
                    ran.clear();
                }
                byte[] event = generator.next();
                String label = "event " + n + " of seed " + seed + ": " + preview(event);
                ContractOracle.Expected expected = ContractOracle.expected(event, ran);
                int runTasksBefore = aws.calls("ecs:RunTask");
                int publishesBefore = aws.calls("events:PutEvents");
                List<String> lines = new ArrayList<>();
                ByteArrayOutputStream out = new ByteArrayOutputStream();

                try {
                    handler.handleRequest(new ByteArrayInputStream(event), out, new LocalContext(lines::add));
                } catch (Throwable thrown) {
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
                    ran.add(expected.correlationId());
                    startsExpected++;
                    assertThat(status.path("task_arn").asText()).as(label).startsWith("arn:aws:ecs:");
                    assertThat(status.path("started_by").asText()).as(label).isEqualTo(expected.correlationId());
                }
                assertThat(aws.calls("ecs:RunTask") - runTasksBefore).as("RunTask calls for %s", label).isEqualTo(starts ? 1 : 0);
                assertThat(aws.violations()).as("requests beyond AWS's limits, after %s", label).isEmpty();
            }
            return new Tally(statuses, aws.calls("ecs:RunTask"), startsExpected, aws.calls("events:PutEvents"), aws.violations().size(),
                    aws.callCounts());
        }
    }

    private static String preview(byte[] event) {
        String text = new String(event, StandardCharsets.UTF_8);
        return text.length() > 300 ? text.substring(0, 300) + "... (" + event.length + " bytes)" : text;
    }
}
