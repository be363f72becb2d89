package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.ecsmigrate.complete.CompletionTrigger;
import dev.ecsmigrate.testing.Script;
import dev.ecsmigrate.verdict.Judgement;
import dev.ecsmigrate.verdict.Judgement.Undecided;
import dev.ecsmigrate.verdict.Judgement.Verdict;
import dev.ecsmigrate.verdict.MigrationContainer;
import dev.ecsmigrate.verdict.Verdicts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.ecsmigrate.testing.ScriptedAws.ecs;
import static dev.ecsmigrate.testing.ScriptedAws.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The verdict rules live twice: in Java ({@link Verdicts}, for the run record and the completion event) and in bash
 * (scripts/wait-for-migration.sh, for the pipeline's exit code). CONTRACT.md section 5 says they are the same rules. This
 * feeds both the same stopped tasks: the ECS event's bytes to {@link CompletionTrigger#read} and {@link Verdicts#judge}, and
 * the event's {@code detail}, as the Task object it resembles, to the real waiter through a scripted ECS endpoint on
 * 127.0.0.1. They must agree: succeeded is exit 0, failed is the container's own code, not_started is 125 with
 * {@code result=not_started}, and an undecided container is 125 with {@code result=error}.
 *
 * <p>The cases are the sample events in src/test/resources/task-events/ (shaped after the ECS documentation's events), a few
 * variations of them, and a seeded generated batch: rerun a batch with {@code -Dagreement.seed=N}, and make it larger with
 * {@code -Dagreement.generated=N}. Every waiter run costs about six aws CLI calls, so the batch is kept small enough for the
 * suite to stay within a minute on two cores.
 */
@Execution(ExecutionMode.CONCURRENT)
class VerdictAgreementIT {

    private static final long SEED = Long.getLong("agreement.seed", System.nanoTime());
    private static final int GENERATED = Integer.getInteger("agreement.generated", 25);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RESULT_LINE = Pattern.compile(
            "result=(\\S+) exit_code=(\\S+) task_arn=(\\S+) stop_code=(\\S+) correlation_id=(\\S+)");
    private static final String PULL_ERROR = "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: "
            + "httpReaderSeeker: failed open: unexpected status code";
    private static final String OOM = "OutOfMemoryError: Container killed due to memory usage";
    /** Every case gets its own run: correlation id, task and task-definition revision, so all share one endpoint. */
    private static final AtomicInteger RUNS = new AtomicInteger();

    private static WireMockServer endpoint;

    @BeforeAll
    static void startEndpoint() {
        endpoint = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        endpoint.start();
        System.out.println("VerdictAgreementIT seed " + SEED + " (rerun the generated batch with -Dagreement.seed=" + SEED + ")");
    }

    @AfterAll
    static void stopEndpoint() {
        endpoint.stop();
    }

    /** A container definition of the task's task definition; {@code essential} null when the definition leaves it out. */
    record Definition(String name, Boolean essential) {

        boolean isEssential() {
            return essential == null || essential;
        }
    }

    /**
     * One stopped task to judge both ways.
     *
     * @param event       an ECS Task State Change event, as EventBridge delivers it
     * @param definitions the containers of its task definition, in order
     * @param container   the migration container named with --container, or null to let the essentials decide
     */
    record Case(String name, ObjectNode event, List<Definition> definitions, String container) {

        List<String> essentials() {
            return definitions.stream().filter(Definition::isEssential).map(Definition::name).toList();
        }

        MigrationContainer choice() {
            return container != null ? new MigrationContainer.Named(container) : new MigrationContainer.Essentials(essentials());
        }

        @Override
        public String toString() {
            return name;
        }
    }

    // --- the cases ----------------------------------------------------------------------------------

    private static final List<Definition> APP = List.of(new Definition("app", true));
    private static final List<Definition> APP_AND_SIDECAR = List.of(new Definition("log-router", false), new Definition("app", true));

    static Stream<Case> samples() {
        return Stream.of(
                sample("succeeded", "stopped-succeeded.json", APP, null, detail -> { }),
                sample("exit 1", "stopped-exit-1.json", APP, null, detail -> { }),
                sample("OOM 137 with the container's reason", "stopped-oom-137.json", APP, null, detail -> { }),
                sample("failed to start: image pull error", "stopped-failed-to-start-pull.json", APP, null, detail -> { }),
                sample("failed to start, though the container has an exit code", "stopped-failed-to-start-pull.json", APP, null,
                        detail -> container(detail, "app").put("exitCode", 1)),
                sample("stopped by the user without an exit code", "stopped-no-exit-code.json", APP, null, detail -> { }),
                sample("sidecar killed with 137, app 0", "stopped-sidecar.json", APP_AND_SIDECAR, null, detail -> { }),
                sample("sidecar 0 never hides app 1", "stopped-sidecar.json", APP_AND_SIDECAR, null, detail -> {
                    container(detail, "log-router").put("exitCode", 0);
                    container(detail, "app").put("exitCode", 1);
                }),
                sample("two essentials and no name: undecided", "stopped-sidecar.json",
                        List.of(new Definition("log-router", null), new Definition("app", true)), null, detail -> { }),
                sample("the named sidecar decides", "stopped-sidecar.json", APP_AND_SIDECAR, "log-router", detail -> { }));
    }

    private static Case sample(String name, String file, List<Definition> definitions, String container, Consumer<ObjectNode> change) {
        ObjectNode event = read(file);
        change.accept((ObjectNode) event.get("detail"));
        return new Case(file + ": " + name, event, definitions, container);
    }

    private static ObjectNode read(String file) {
        try (InputStream in = VerdictAgreementIT.class.getResourceAsStream("/task-events/" + file)) {
            if (in == null) {
                throw new IllegalStateException("no src/test/resources/task-events/" + file);
            }
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode container(ObjectNode detail, String name) {
        for (JsonNode container : detail.get("containers")) {
            if (name.equals(container.path("name").asText())) {
                return (ObjectNode) container;
            }
        }
        throw new IllegalArgumentException("the sample has no container " + name);
    }

    private static final List<String> NAMES = List.of("app", "migrate", "log-router", "proxy", "xray");
    private static final int[] EXIT_CODES = {1, 2, 3, 64, 124, 125, 126, 127, 130, 137, 139, 143, 255};

    /** Stop codes with the stopped reasons ECS gives with them, EssentialContainerExited the most common, and none at all. */
    private static final String[][] STOPS = {
            {"EssentialContainerExited", "Essential container in task exited"},
            {"EssentialContainerExited", "Essential container in task exited"},
            {"EssentialContainerExited", "Essential container in task exited"},
            {"EssentialContainerExited", "Essential container in task exited"},
            {"TaskFailedToStart", PULL_ERROR},
            {"TaskFailedToStart", PULL_ERROR},
            {"UserInitiated", "Task stopped by user"},
            {"ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ecs-svc/1234567890123456789)"},
            {"SpotInterruption", "Your Spot Task was interrupted."},
            {"TerminationNotice", "Your Spot Task was interrupted."},
            {null, null}};

    /**
     * Stopped tasks as ECS could report them: one to three containers in any order, essential or not, exit codes a Linux
     * container can have (0 to 255) or none. Stop codes and the ways of choosing the container are dealt in turn from a
     * random start, so that even a small batch has each of them.
     */
    static Stream<Case> generated() {
        Random random = new Random(SEED);
        int stops = random.nextInt(STOPS.length);
        int choices = random.nextInt(8);
        return IntStream.range(0, GENERATED).mapToObj(i -> generate(random, i, STOPS[(stops + i) % STOPS.length], (choices + i) % 8));
    }

    /** One generated case; {@code choice} 0 and 1 name a container of the task definition, 2 one the task does not have. */
    private static Case generate(Random random, int index, String[] stop, int choice) {
        List<String> pool = new ArrayList<>(NAMES);
        Collections.shuffle(pool, random);
        List<Definition> definitions = new ArrayList<>();
        for (String name : pool.subList(0, 1 + random.nextInt(3))) {
            int roll = random.nextInt(20);
            // The first is the migration container; the others are mostly sidecars, and now and then a second essential.
            definitions.add(definitions.isEmpty() ? new Definition(name, roll < 10 ? Boolean.TRUE : null)
                    : new Definition(name, roll < 12 ? Boolean.FALSE : roll < 16 ? Boolean.TRUE : null));
        }
        Collections.shuffle(definitions, random);
        String named = choice < 2 ? definitions.get(random.nextInt(definitions.size())).name() : choice == 2 ? "seed-data" : null;

        ObjectNode event = read("stopped-sidecar.json");
        ObjectNode detail = (ObjectNode) event.get("detail");
        ObjectNode template = container(detail, "app");
        ArrayNode containers = detail.putArray("containers");
        List<String> described = new ArrayList<>();
        boolean noContainers = "TaskFailedToStart".equals(stop[0]) && random.nextInt(4) == 0;
        for (Definition definition : noContainers ? List.<Definition>of() : definitions) {
            ObjectNode container = template.deepCopy();
            container.put("name", definition.name());
            container.put("containerArn", template.get("containerArn").asText() + "-" + definition.name());
            container.remove(List.of("exitCode", "reason"));
            Integer exitCode = exitCode(random, stop[0]);
            if (exitCode != null) {
                container.put("exitCode", exitCode);
            }
            String reason = "TaskFailedToStart".equals(stop[0]) ? PULL_ERROR
                    : Integer.valueOf(137).equals(exitCode) && random.nextBoolean() ? OOM : null;
            if (reason != null) {
                container.put("reason", reason);
            }
            containers.add(container);
            described.add(definition.name() + (definition.isEssential() ? "*" : "") + ":" + (exitCode == null ? "none" : exitCode));
        }
        if (stop[0] == null) {
            detail.remove(List.of("stopCode", "stoppedReason"));
        } else {
            detail.put("stopCode", stop[0]);
            detail.put("stoppedReason", stop[1]);
        }
        String name = "generated #" + index + " (seed " + SEED + "): stop code " + stop[0] + ", containers " + described
                + " (* essential), " + (named == null ? "no name" : "--container " + named);
        return new Case(name, event, definitions, named);
    }

    private static Integer exitCode(Random random, String stopCode) {
        int roll = random.nextInt(20);
        if ("TaskFailedToStart".equals(stopCode)) {
            return roll < 16 ? null : roll < 18 ? 0 : 1;
        }
        boolean stoppedFromOutside = stopCode != null && !"EssentialContainerExited".equals(stopCode);
        if (roll < (stoppedFromOutside ? 10 : 2)) {
            return null;
        }
        return roll < 11 ? 0 : roll < 18 ? EXIT_CODES[random.nextInt(EXIT_CODES.length)] : 1 + random.nextInt(255);
    }

    // --- the comparison -------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void sampleTaskEvent_javaAndWaiterAgree(Case sample) {
        assertAgree(sample);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("generated")
    void generatedStoppedTask_javaAndWaiterAgree(Case generated) {
        assertAgree(generated);
    }

    /**
     * Exit codes no process can exit with: ECS reports a Windows container's status as a 32-bit integer, e.g. -1073741819
     * (0xC0000005, an access violation); no Linux container ends with 256. Found by this suite and not yet settled, so left
     * out: the Java rules read a ten-digit exit code from the event as none (not_started) where the waiter says failed; and
     * the waiter prints {@code result=failed exit_code=256} but exits 0, which a pipeline takes for a success. Whatever the
     * waiter then exits with, both must tell the same result, and only a success may exit 0.
     */
    /**
     * Exit codes a process cannot exit with (Windows containers report large negative ones): both sides call the run
     * failed with the container's own code on the result line, and the waiter, which cannot pass such a code through
     * (bash keeps the low byte, so 256 would exit 0), exits 1.
     */
    @ParameterizedTest(name = "exit code {0}")
    @ValueSource(ints = {256, 512, -1, -1073741819, Integer.MIN_VALUE})
    void exitCodeOutsideWhatAProcessCanExitWith_isAFailureOnBothSides(int exitCode) {
        Case run = ownRun(sample("exit code " + exitCode, "stopped-exit-1.json", APP, null,
                detail -> container(detail, "app").put("exitCode", exitCode)));
        ObjectNode detail = (ObjectNode) run.event().get("detail");
        Judgement judgement = Verdicts.judge(((CompletionTrigger.TaskChange) CompletionTrigger.read(bytes(run.event()))).task(), run.choice());

        Script wait = waitFor(run, detail);

        Matcher line = RESULT_LINE.matcher(wait.lastLine());
        assertThat(line.matches()).as(wait.output()).isTrue();
        String both = "the Java rules judged " + judgement + "; the waiter printed " + wait.lastLine() + " and exited " + wait.exitCode();
        assertThat(judgement).as(both).isInstanceOfSatisfying(Verdict.class, verdict -> {
            assertThat(verdict.result().word()).isEqualTo("failed");
            assertThat(verdict.exitCode()).isEqualTo(exitCode);
        });
        assertThat(line.group(1)).as(both).isEqualTo("failed");
        assertThat(wait.lastLine()).as(both).contains("exit_code=" + exitCode + " ");
        assertThat(wait.exitCode()).as(both).isEqualTo(1);
    }

    private void assertAgree(Case base) {
        Case run = ownRun(base);
        ObjectNode detail = (ObjectNode) run.event().get("detail");
        String taskArn = detail.get("taskArn").asText();

        CompletionTrigger trigger = CompletionTrigger.read(bytes(run.event()));
        assertThat(trigger).isInstanceOf(CompletionTrigger.TaskChange.class);
        Judgement judgement = Verdicts.judge(((CompletionTrigger.TaskChange) trigger).task(), run.choice());

        Script wait = waitFor(run, detail);

        String java = expectedOfWaiter(judgement);
        Matcher line = RESULT_LINE.matcher(wait.lastLine());
        String waiter = line.matches()
                ? "result=" + line.group(1) + " exit_code=" + line.group(2) + " stop_code=" + line.group(4) + ", exits " + wait.exitCode()
                : "no result line, exits " + wait.exitCode();
        System.out.println("VerdictAgreementIT " + base.name() + "\n    java:   " + java + "  (" + judgement + ")\n    waiter: " + waiter);
        String both = "the Java rules judged " + judgement + "\nthe waiter's output:\n" + wait.output();
        assertThat(waiter).as(both).isEqualTo(java);
        assertThat(line.group(3)).as(both).isEqualTo(taskArn);
        switch (judgement) {
            case Undecided undecided -> assertThat(wait.output()).as(both)
                    .contains(run.essentials().size() + " essential containers (" + String.join(" ", run.essentials()) + ")");
            case Verdict verdict when verdict.exitCode() != null ->
                    assertThat(wait.output()).as(both).contains("container " + verdict.container() + " exited " + verdict.exitCode());
            case Verdict verdict when !"TaskFailedToStart".equals(verdict.stopCode()) ->
                    assertThat(wait.output()).as(both).contains("container " + verdict.container() + " stopped without an exit code");
            case Verdict verdict -> assertThat(wait.output()).as(both).contains("the task failed to start");
        }
    }

    /** What the waiter must print and exit with, for the Java rules' judgement (CONTRACT.md section 3). */
    private static String expectedOfWaiter(Judgement judgement) {
        return switch (judgement) {
            case Undecided undecided -> "result=error exit_code=125 stop_code=" + orNone(undecided.stopCode()) + ", exits 125";
            case Verdict verdict -> switch (verdict.result()) {
                case SUCCEEDED -> "result=succeeded exit_code=0 stop_code=" + orNone(verdict.stopCode()) + ", exits 0";
                case FAILED -> "result=failed exit_code=" + verdict.exitCode() + " stop_code=" + orNone(verdict.stopCode()) + ", exits "
                        + verdict.exitCode();
                case NOT_STARTED -> "result=not_started exit_code=125 stop_code=" + orNone(verdict.stopCode()) + ", exits 125";
            };
        };
    }

    private static String orNone(String stopCode) {
        return stopCode == null ? "none" : stopCode;
    }

    /** The case as a run of its own: its correlation id, task and task-definition revision, scripted on the endpoint. */
    private static Case ownRun(Case base) {
        int run = RUNS.incrementAndGet();
        ObjectNode event = base.event().deepCopy();
        ObjectNode detail = (ObjectNode) event.get("detail");
        String taskArn = "arn:aws:ecs:us-east-1:123456789012:task/migrations/%032x".formatted(0xa9e0000L + run);
        String taskDefinition = detail.get("taskDefinitionArn").asText().replaceFirst(":\\d+$", ":" + (1000 + run));
        event.putArray("resources").add(taskArn);
        detail.put("taskArn", taskArn);
        detail.put("startedBy", "agree-" + run);
        detail.put("taskDefinitionArn", taskDefinition);
        for (JsonNode container : detail.get("containers")) {
            ((ObjectNode) container).put("taskArn", taskArn);
        }
        return new Case(base.name(), event, base.definitions(), base.container());
    }

    private Script waitFor(Case run, ObjectNode detail) {
        String correlationId = detail.get("startedBy").asText();
        String taskArn = detail.get("taskArn").asText();
        String taskDefinition = detail.get("taskDefinitionArn").asText();
        List<StubMapping> stubs = List.of(
                endpoint.stubFor(ecs("ListTasks").withRequestBody(matchingJsonPath("$.startedBy", equalTo(correlationId)))
                        .withRequestBody(matchingJsonPath("$.desiredStatus", equalTo("STOPPED")))
                        .willReturn(json("{\"taskArns\":[\"" + taskArn + "\"]}"))),
                endpoint.stubFor(ecs("ListTasks").withRequestBody(matchingJsonPath("$.startedBy", equalTo(correlationId)))
                        .withRequestBody(matchingJsonPath("$.desiredStatus", equalTo("RUNNING")))
                        .willReturn(json("{\"taskArns\":[]}"))),
                endpoint.stubFor(ecs("DescribeTasks").withRequestBody(matchingJsonPath("$.tasks[0]", equalTo(taskArn)))
                        .willReturn(json(describeTasks(detail)))),
                endpoint.stubFor(ecs("DescribeTaskDefinition").withRequestBody(matchingJsonPath("$.taskDefinition", equalTo(taskDefinition)))
                        .willReturn(json(describeTaskDefinition(taskDefinition, run.definitions())))));
        Map<String, String> env = Script.baseEnvironment();
        env.put("AWS_ENDPOINT_URL", endpoint.baseUrl());
        env.put("AWS_RETRY_MODE", "standard");
        env.put("AWS_MAX_ATTEMPTS", "1");
        List<String> args = new ArrayList<>(List.of("--cluster", "migrations", "--correlation-id", correlationId, "--interval", "1",
                "--timeout", "90", "--start-timeout", "30", "--no-logs"));
        if (run.container() != null) {
            args.addAll(List.of("--container", run.container()));
        }
        try {
            return Script.run("wait-for-migration.sh", env, args.toArray(String[]::new));
        } finally {
            // The endpoint matches every request against every stub: only the runs under way keep theirs.
            stubs.forEach(endpoint::removeStub);
        }
    }

    /**
     * The event's detail as DescribeTasks returns the task: the same fields, except that the times are epoch seconds in the
     * API and ISO-8601 text in the event.
     */
    private static String describeTasks(ObjectNode detail) {
        ObjectNode task = detail.deepCopy();
        for (Map.Entry<String, JsonNode> field : detail.properties()) {
            if (field.getKey().endsWith("At") && field.getValue().isTextual()) {
                Instant at = Instant.parse(field.getValue().asText());
                task.put(field.getKey(), BigDecimal.valueOf(at.toEpochMilli()).movePointLeft(3));
            }
        }
        ObjectNode response = JSON.createObjectNode();
        response.putArray("tasks").add(task);
        response.putArray("failures");
        return response.toString();
    }

    private static String describeTaskDefinition(String arn, List<Definition> definitions) {
        ObjectNode response = JSON.createObjectNode();
        ObjectNode taskDefinition = response.putObject("taskDefinition");
        taskDefinition.put("taskDefinitionArn", arn);
        taskDefinition.put("family", arn.replaceFirst(".*task-definition/", "").replaceFirst(":\\d+$", ""));
        ArrayNode containers = taskDefinition.putArray("containerDefinitions");
        for (Definition definition : definitions) {
            ObjectNode container = containers.addObject().put("name", definition.name()).put("image", "app:latest");
            if (definition.essential() != null) {
                container.put("essential", definition.essential());
            }
        }
        return response.toString();
    }

    private static byte[] bytes(JsonNode event) {
        try {
            return JSON.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
