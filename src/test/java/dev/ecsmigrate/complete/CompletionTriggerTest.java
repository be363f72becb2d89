package dev.ecsmigrate.complete;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecsmigrate.complete.CompletionTrigger.Sweep;
import dev.ecsmigrate.complete.CompletionTrigger.TaskChange;
import dev.ecsmigrate.complete.CompletionTrigger.Unreadable;
import dev.ecsmigrate.testing.HostileEvents;
import dev.ecsmigrate.testing.HostileEvents.Arr;
import dev.ecsmigrate.testing.HostileEvents.Bool;
import dev.ecsmigrate.testing.HostileEvents.Field;
import dev.ecsmigrate.testing.HostileEvents.J;
import dev.ecsmigrate.testing.HostileEvents.Null;
import dev.ecsmigrate.testing.HostileEvents.Num;
import dev.ecsmigrate.testing.HostileEvents.Obj;
import dev.ecsmigrate.testing.HostileEvents.Str;
import dev.ecsmigrate.verdict.StoppedTask;
import dev.ecsmigrate.verdict.StoppedTask.Container;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * {@link CompletionTrigger#read} against the ECS task state change events in {@code completion-events/} (real-shaped,
 * see /tmp/research/ecs-task-events.md), the sweep's schedule, and hostile input: it must never throw, and a
 * field it cannot read is null (or -1 for the version), never a guess.
 */
class CompletionTriggerTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The seed of the generated mutations; override with -Dcompletion.trigger.seed=N to explore. */
    private static final long SEED = Long.getLong("completion.trigger.seed", 20250603L);
    private static final int MUTANTS = 2000;

    private static final List<String> SAMPLES = List.of("extra-deprovisioning-with-stopcode.json", "extra-spot-interruption-notice.json",
            "other-family-stopped.json", "running.json", "service-task-stopped.json", "stopped-exit-1.json",
            "stopped-failed-to-start-pull.json", "stopped-no-exit-code.json", "stopped-oom-137.json", "stopped-sidecar.json",
            "stopped-succeeded.json");

    private static final String CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/migrations";
    private static final String APP_42 = "arn:aws:ecs:us-east-1:123456789012:task-definition/app:42";

    /** The fields of {@code detail} that read() keeps, by the JSON name, with the StoppedTask component that holds each. */
    private static final Map<String, Function<StoppedTask, Object>> TEXT_FIELDS = Map.of(
            "taskArn", StoppedTask::taskArn, "clusterArn", StoppedTask::clusterArn, "group", StoppedTask::group,
            "startedBy", StoppedTask::startedBy, "taskDefinitionArn", StoppedTask::taskDefinitionArn,
            "lastStatus", StoppedTask::lastStatus, "stopCode", StoppedTask::stopCode, "stoppedReason", StoppedTask::stoppedReason);
    private static final Map<String, Function<StoppedTask, Object>> TIME_FIELDS = Map.of(
            "createdAt", StoppedTask::createdAt, "startedAt", StoppedTask::startedAt, "stoppedAt", StoppedTask::stoppedAt);
    private static final Map<String, Function<StoppedTask, Object>> ALL_FIELDS;

    static {
        Map<String, Function<StoppedTask, Object>> all = new java.util.HashMap<>(TEXT_FIELDS);
        all.putAll(TIME_FIELDS);
        all.put("version", StoppedTask::version);
        all.put("containers", StoppedTask::containers);
        ALL_FIELDS = Map.copyOf(all);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The samples

    static byte[] sample(String name) {
        try (InputStream in = CompletionTriggerTest.class.getResourceAsStream("/completion-events/" + name)) {
            if (in == null) {
                throw new AssertionError("no test resource completion-events/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static StoppedTask task(String name) {
        CompletionTrigger trigger = CompletionTrigger.read(sample(name));
        assertThat(trigger).as(name).isInstanceOf(TaskChange.class);
        return ((TaskChange) trigger).task();
    }

    @Test
    void read_whenStoppedSucceeded_givesEveryFieldOfTheTask() {
        assertThat(task("stopped-succeeded.json")).isEqualTo(new StoppedTask(
                "arn:aws:ecs:us-east-1:123456789012:task/migrations/7c1e9a3b5d2f4e6a8b0c1d2e3f4a5b6c", CLUSTER, "migration:app",
                "gh-7301122334-1", APP_42, "STOPPED", "EssentialContainerExited", "Essential container in task exited",
                Instant.parse("2025-06-03T09:10:02.114Z"), Instant.parse("2025-06-03T09:10:23.409Z"),
                Instant.parse("2025-06-03T09:15:03.652Z"), 6, List.of(new Container("app", 0, null, "STOPPED"))));
    }

    @Test
    void read_whenSidecarExited137_keepsBothContainersInOrder() {
        assertThat(task("stopped-sidecar.json").containers()).containsExactly(
                new Container("log-router", 137, null, "STOPPED"), new Container("app", 0, null, "STOPPED"));
    }

    @Test
    void read_whenImagePullFailed_hasNoStartAndNoExitCodeAndBothReasons() {
        StoppedTask task = task("stopped-failed-to-start-pull.json");

        assertThat(task.stopCode()).isEqualTo("TaskFailedToStart");
        assertThat(task.startedAt()).isNull();
        assertThat(task.stoppedAt()).isEqualTo(Instant.parse("2025-06-03T12:11:02.340Z"));
        assertThat(task.stoppedReason()).startsWith("CannotPullContainerError:");
        assertThat(task.containers()).singleElement().satisfies(c -> {
            assertThat(c.exitCode()).isNull();
            assertThat(c.reason()).startsWith("CannotPullContainerError:");
        });
    }

    /** file, lastStatus, stopped, group, stopCode, version, container exit codes ('-' for none), started, stopped. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            extra-deprovisioning-with-stopcode.json | DEPROVISIONING | false | migration:app     | EssentialContainerExited  | 5 | 0      | true  | false
            extra-spot-interruption-notice.json     | RUNNING        | false | migration:app     | SpotInterruption          | 4 | -      | true  | false
            other-family-stopped.json               | STOPPED        | true  | migration:billing | EssentialContainerExited  | 6 | 0      | true  | true
            running.json                            | RUNNING        | false | migration:app     | null                      | 3 | -      | true  | false
            service-task-stopped.json               | STOPPED        | true  | service:web       | ServiceSchedulerInitiated | 7 | 0      | true  | true
            stopped-exit-1.json                     | STOPPED        | true  | migration:app     | EssentialContainerExited  | 6 | 1      | true  | true
            stopped-failed-to-start-pull.json       | STOPPED        | true  | migration:app     | TaskFailedToStart         | 5 | -      | false | true
            stopped-no-exit-code.json               | STOPPED        | true  | migration:app     | UserInitiated             | 5 | -      | false | true
            stopped-oom-137.json                    | STOPPED        | true  | migration:app     | EssentialContainerExited  | 6 | 137    | true  | true
            stopped-sidecar.json                    | STOPPED        | true  | migration:app     | EssentialContainerExited  | 6 | 137,0  | true  | true
            stopped-succeeded.json                  | STOPPED        | true  | migration:app     | EssentialContainerExited  | 6 | 0      | true  | true
            """)
    void read_whenSample_givesATaskChangeOfTheRightKind(String file, String lastStatus, boolean stopped, String group, String stopCode,
                                                        long version, String exitCodes, boolean hasStart, boolean hasStop) {
        StoppedTask task = task(file);

        assertThat(task.lastStatus()).isEqualTo(lastStatus);
        assertThat(task.stopped()).isEqualTo(stopped);
        assertThat(task.group()).isEqualTo(group);
        assertThat(task.stopCode()).isEqualTo(stopCode);
        assertThat(task.version()).isEqualTo(version);
        assertThat(task.clusterArn()).isEqualTo(CLUSTER);
        assertThat(task.containers().stream().map(c -> c.exitCode() == null ? "-" : c.exitCode().toString()).toList())
                .containsExactly(exitCodes.split(","));
        assertThat(task.startedAt() != null).as("startedAt present").isEqualTo(hasStart);
        assertThat(task.stoppedAt() != null).as("stoppedAt present").isEqualTo(hasStop);
        assertThat(task.createdAt()).isNotNull();
    }

    static Stream<String> samples() {
        return SAMPLES.stream();
    }

    /** Every field, checked against the same file read by another JSON reader (Jackson's data binding). */
    @ParameterizedTest
    @MethodSource("samples")
    void read_whenSample_carriesEveryFieldAsTheFileHasIt(String file) throws IOException {
        JsonNode detail = MAPPER.readTree(sample(file)).get("detail");
        StoppedTask task = task(file);

        TEXT_FIELDS.forEach((name, getter) ->
                assertThat(getter.apply(task)).as(name).isEqualTo(detail.hasNonNull(name) ? detail.get(name).asText() : null));
        TIME_FIELDS.forEach((name, getter) ->
                assertThat(getter.apply(task)).as(name).isEqualTo(detail.hasNonNull(name) ? Instant.parse(detail.get(name).asText()) : null));
        assertThat(task.version()).isEqualTo(detail.get("version").asLong());
        List<Container> expected = new ArrayList<>();
        for (JsonNode c : detail.get("containers")) {
            expected.add(new Container(c.get("name").asText(), c.hasNonNull("exitCode") ? c.get("exitCode").asInt() : null,
                    c.hasNonNull("reason") ? c.get("reason").asText() : null, c.get("lastStatus").asText()));
        }
        assertThat(task.containers()).isEqualTo(expected);
    }

    @Test
    void read_whenScheduledEvent_givesSweep() {
        assertThat(CompletionTrigger.read(sample("scheduled-sweep.json"))).isEqualTo(new Sweep());
    }

    @Test
    void read_whenScheduledEventHasNoDetailOrResources_stillGivesSweep() {
        assertThat(CompletionTrigger.read(bytes("{\"source\":\"aws.events\",\"detail-type\":\"Scheduled Event\"}")))
                .isEqualTo(new Sweep());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"source\":\"aws.ecs\",\"detail-type\":\"Scheduled Event\",\"detail\":{}}",
            "{\"source\":\"aws.events\",\"detail-type\":\"ECS Task State Change\",\"detail\":{\"taskArn\":\"t\"}}",
            "{\"source\":\"aws.events\",\"detail-type\":\"scheduled event\"}",
            "{\"source\":\"aws.ecs\",\"detail-type\":\"ECS Container Instance State Change\",\"detail\":{\"taskArn\":\"t\"}}",
            "{\"source\":\"ecs.migration\",\"detail-type\":\"AWS ECS Migration Task Completed\",\"detail\":{\"taskArn\":\"t\"}}",
            "{\"source\":[\"aws.ecs\"],\"detail-type\":\"ECS Task State Change\",\"detail\":{\"taskArn\":\"t\"}}",
            "{\"detail-type\":\"ECS Task State Change\",\"detail\":{\"taskArn\":\"t\"}}",
            "{\"source\":\"aws.ecs\",\"detail-type\":\"ECS Task State Change\"}",
            "{\"source\":\"aws.ecs\",\"detail-type\":\"ECS Task State Change\",\"detail\":\"{\\\"taskArn\\\":\\\"t\\\"}\"}",
            "{\"source\":\"aws.ecs\",\"detail-type\":\"ECS Task State Change\",\"detail\":null}",
            "{\"source\":\"aws.ecs\",\"detail-type\":\"ECS Task State Change\",\"detail\":[{\"taskArn\":\"t\"}]}",
            "{\"source\":\"aws.ecs\",\"detail-type\":\"ECS Task State Change\",\"detail\":{}}",
            "{\"source\":\"aws.ecs\",\"detail-type\":\"ECS Task State Change\",\"detail\":{\"taskArn\":\"\"}}",
            "{\"source\":\"aws.ecs\",\"detail-type\":\"ECS Task State Change\",\"detail\":{\"taskArn\":42}}",
            "{\"source\":\"aws.ecs\",\"detail-type\":\"ECS Task State Change\",\"detail\":{\"taskArn\":[\"t\"]}}",
            "{\"source\":\"aws.ecs\",\"detail-type\":\"ECS Task State Change\",\"detail\":{\"taskArn\":\"t\",\"taskArn\":\"u\"}}",
            "{\"source\":\"aws.ecs\",\"detail-type\":\"ECS Task State Change\",\"detail\":{\"taskArn\":\"t\"}} {}",
            "{\"source\":\"aws.ecs\",\"detail-type\":\"ECS Task State Change\",\"detail\":{\"taskArn\":\"t\"}",
            "", " ", "null", "true", "42", "1e999999999", "\"ECS Task State Change\"", "[]", "[{\"source\":\"aws.events\"}]", "{", "}",
            "\u0000", "{\"source\":\"aws.events\",\"detail-type\":\"Scheduled Event\"}x"})
    void read_whenNotAReadableTaskChangeNorSchedule_givesUnreadableWithAReason(String text) {
        CompletionTrigger trigger = CompletionTrigger.read(bytes(text));

        assertThat(trigger).isInstanceOf(Unreadable.class);
        assertThat(((Unreadable) trigger).reason()).isNotBlank().doesNotContain("\n");
    }

    /** Wrong types in every field that read() looks at; none of them is guessed at. */
    @Test
    void read_whenEveryTaskFieldHasTheWrongType_givesATaskChangeWithNulls() {
        String detail = """
                {"taskArn":"arn:aws:ecs:us-east-1:123456789012:task/migrations/x","clusterArn":7,"group":true,"startedBy":null,
                 "taskDefinitionArn":["arn"],"lastStatus":{"value":"STOPPED"},"stopCode":1e999999999,"stoppedReason":[],
                 "createdAt":1717405823,"startedAt":"yesterday","stoppedAt":"2025-06-03T09:15:03.652","version":"6",
                 "containers":[7,"app",null,[],{"name":1,"exitCode":"0","reason":false,"lastStatus":["STOPPED"]}]}""";

        StoppedTask task = ((TaskChange) CompletionTrigger.read(taskChange(detail))).task();

        assertThat(task).isEqualTo(new StoppedTask("arn:aws:ecs:us-east-1:123456789012:task/migrations/x", null, null, null, null, null,
                null, null, null, null, null, -1, List.of(new Container(null, null, null, null))));
        assertThat(task.stopped()).isFalse();
    }

    /** exitCode as written, and what read() makes of it (null: none). */
    @ParameterizedTest(name = "exitCode {0}")
    @CsvSource(nullValues = "none", value = {
            "0, 0", "1, 1", "137, 137", "-1, -1", "255, 255", "-0, 0", "999999999, 999999999",
            "2147483648, none", "-2147483649, none", "9223372036854775808, none",
            "123456789012345678901234567890, none", "1e999999999, none", "-1e999999999, none", "1E-999999999, none",
            "0.5, none", "1.7976931348623157e308, none", "'\"0\"', none", "true, none", "null, none", "'[0]', none", "'{}', none"})
    void read_whenExitCodeIsHugeOrNotAnInteger_givesNoExitCode(String written, Integer expected) {
        String detail = "{\"taskArn\":\"t\",\"lastStatus\":\"STOPPED\",\"containers\":[{\"name\":\"app\",\"exitCode\":" + written + "}]}";

        StoppedTask task = ((TaskChange) assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> CompletionTrigger.read(taskChange(detail)))).task();

        assertThat(task.containers()).singleElement().extracting(Container::exitCode).isEqualTo(expected);
    }

    /** version as written, and what read() makes of it (-1: unknown). */
    @ParameterizedTest(name = "version {0}")
    @CsvSource({"0, 0", "6, 6", "999999999999999999, 999999999999999999", "-6, -1", "9223372036854775808, -1",
            "123456789012345678901234567890, -1", "1e999999999, -1", "-1e999999999, -1", "6.5, -1", "'\"6\"', -1", "null, -1",
            "'[6]', -1", "false, -1"})
    void read_whenVersionIsHugeOrNotAnInteger_givesMinusOne(String written, long expected) {
        String detail = "{\"taskArn\":\"t\",\"version\":" + written + "}";

        StoppedTask task = ((TaskChange) assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> CompletionTrigger.read(taskChange(detail)))).task();

        assertThat(task.version()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"app\"", "{\"name\":\"app\",\"exitCode\":0}", "0", "true", "null", "\"\""})
    void read_whenContainersIsNotAnArray_givesATaskWithNoContainers(String containers) {
        StoppedTask task = ((TaskChange) CompletionTrigger.read(taskChange(
                "{\"taskArn\":\"t\",\"lastStatus\":\"STOPPED\",\"containers\":" + containers + "}"))).task();

        assertThat(task.containers()).isEmpty();
        assertThat(task.stopped()).isTrue();
    }

    @Test
    void read_whenContainersHoldsNonObjects_keepsOnlyTheObjects() {
        StoppedTask task = ((TaskChange) CompletionTrigger.read(taskChange(
                "{\"taskArn\":\"t\",\"containers\":[null,\"app\",1,[{\"name\":\"x\"}],{\"name\":\"app\",\"exitCode\":3},{}]}"))).task();

        assertThat(task.containers()).containsExactly(new Container("app", 3, null, null), new Container(null, null, null, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-06-03", "2025-06-03T09:15:03.652", "2025-13-40T25:61:61Z", "+1000000001-01-01T00:00:00Z",
            "1717405823", "2025-06-03T09:15:03.652+02:00 and more", " 2025-06-03T09:15:03.652Z"})
    void read_whenTimeIsNotAnIsoInstant_givesNoTime(String time) {
        StoppedTask task = ((TaskChange) CompletionTrigger.read(taskChange(
                "{\"taskArn\":\"t\",\"stoppedAt\":\"" + time + "\",\"startedAt\":\"2025-06-03T09:10:23.409Z\"}"))).task();

        assertThat(task.stoppedAt()).isNull();
        assertThat(task.startedAt()).isEqualTo(Instant.parse("2025-06-03T09:10:23.409Z"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Size and depth: bounded, never an OutOfMemoryError or a StackOverflowError

    @Test
    void read_whenNestedFarDeeperThanAnyEvent_givesUnreadable() {
        for (int depth : new int[] {1_001, 100_000, 500_000}) {
            byte[] deep = taskChange("{\"taskArn\":\"t\",\"overrides\":" + "[".repeat(depth) + "]".repeat(depth) + "}");
            assertThat(readWithin(deep)).as("depth %d", depth).isInstanceOf(Unreadable.class);
            byte[] unclosed = ("[".repeat(depth)).getBytes(StandardCharsets.US_ASCII);
            assertThat(readWithin(unclosed)).as("unclosed depth %d", depth).isInstanceOf(Unreadable.class);
        }
    }

    @Test
    void read_whenNestedAsDeepAsAllowed_stillReadsTheTask() {
        int depth = 900;
        byte[] deep = taskChange("{\"taskArn\":\"t\",\"overrides\":" + "[".repeat(depth) + "]".repeat(depth) + "}");

        assertThat(readWithin(deep)).isInstanceOf(TaskChange.class);
    }

    @Test
    void read_whenOneStringIsLongerThanOneMegabyte_givesUnreadable() {
        byte[] large = taskChange("{\"taskArn\":\"t\",\"stoppedReason\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}");

        assertThat(readWithin(large)).isInstanceOf(Unreadable.class);
    }

    /**
     * Six megabytes (the most a synchronous Lambda invocation carries) of small values: over Json's 1 MB document
     * limit, which it checks itself for byte[] input (Jackson checks maxDocumentLength only on streams).
     */
    @Test
    void read_whenSixMegabytesOfSmallValues_givesUnreadableWithoutBuildingThem() {
        byte[] manyNumbers = taskChange("{\"taskArn\":\"t\",\"attributes\":[" + "1,".repeat(3_000_000) + "1]}");

        assertThat(readWithin(manyNumbers)).isInstanceOfSatisfying(Unreadable.class,
                unreadable -> assertThat(unreadable.reason()).contains("more than the 1048576 bytes"));
    }

    @Test
    void read_whenANumberHasAMillionDigits_givesUnreadable() {
        byte[] event = taskChange("{\"taskArn\":\"t\",\"version\":" + "9".repeat(1_000_000) + "}");
        byte[] justOverTheLimit = taskChange("{\"taskArn\":\"t\",\"containers\":[{\"exitCode\":1" + "0".repeat(1000) + "}]}");

        assertThat(readWithin(event)).isInstanceOf(Unreadable.class);
        assertThat(readWithin(justOverTheLimit)).isInstanceOf(Unreadable.class);
    }

    @Test
    void read_whenRandomBytes_neverThrows() {
        Random random = new Random(SEED);
        System.out.println("CompletionTriggerTest random bytes: seed " + SEED);
        for (int i = 0; i < 2000; i++) {
            byte[] noise = new byte[random.nextInt(i < 1000 ? 64 : 4096)];
            random.nextBytes(noise);
            if (i % 3 == 0 && noise.length > 0) {
                noise[0] = '{';
            }
            assertThat(readSafely(noise, "seed " + SEED + ", random bytes #" + i)).isInstanceOf(Unreadable.class);
        }
    }

    @Test
    void read_whenInvalidUtf8InAField_neverThrows() {
        byte[] event = taskChange("{\"taskArn\":\"t\",\"group\":\"migration:XX\"}");
        int at = new String(event, StandardCharsets.ISO_8859_1).indexOf("XX");
        for (byte[] bad : List.of(new byte[] {(byte) 0xC0, (byte) 0x80}, new byte[] {(byte) 0xFF, (byte) 0xFE},
                new byte[] {(byte) 0xED, (byte) 0xA0}, new byte[] {(byte) 0xE2, (byte) 0x82})) {
            byte[] broken = event.clone();
            broken[at] = bad[0];
            broken[at + 1] = bad[1];
            readSafely(broken, "bytes " + Arrays.toString(bad));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Every field of a real event, with every wrong type; then ~2000 seeded mutations of all the samples

    @Test
    void read_whenAnyFieldOfAStoppedEventHasAnyHostileValue_neverThrowsAndGuessesNothing() throws IOException {
        List<J> values = List.of(new Null(), new Bool(true), new Str(""), new Str("x\n\"\\\u0000\ud800"), new Num("-1"),
                new Num("1e999999999"), new Num("123456789012345678901234567890"), new Num("0.5"), new Obj(List.of()),
                new Arr(List.of()), new Arr(List.of(new Num("0"), new Str("STOPPED"))));
        int checked = 0;
        for (String file : List.of("stopped-sidecar.json", "stopped-failed-to-start-pull.json")) {
            J original = toJ(MAPPER.readTree(sample(file)));
            StoppedTask before = ((TaskChange) CompletionTrigger.read(HostileEvents.bytes(original))).task();
            for (List<Object> path : paths(original)) {
                for (J value : values) {
                    Mutant mutant = targeted(original, before, path, value, file + " " + path + " := " + describe(value));
                    check(mutant);
                    checked++;
                }
                check(targeted(original, before, path, null, file + " " + path + " removed"));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(1000);
    }

    @Test
    void read_whenSamplesAreMutatedAtRandom_neverThrowsAndGuessesNothing() throws IOException {
        System.out.println("CompletionTriggerTest mutations: seed " + SEED + " (-Dcompletion.trigger.seed=N to change)");
        Random random = new Random(SEED);
        List<J> originals = new ArrayList<>();
        List<StoppedTask> befores = new ArrayList<>();
        for (String file : SAMPLES) {
            J original = toJ(MAPPER.readTree(sample(file)));
            originals.add(original);
            befores.add(((TaskChange) CompletionTrigger.read(HostileEvents.bytes(original))).task());
        }
        int taskChanges = 0;
        int unreadable = 0;
        for (int i = 0; i < MUTANTS; i++) {
            int which = random.nextInt(SAMPLES.size());
            Mutant mutant = mutate(random, originals.get(which), befores.get(which),
                    "seed " + SEED + ", mutant #" + i + " of " + SAMPLES.get(which));
            CompletionTrigger trigger = check(mutant);
            if (trigger instanceof TaskChange) {
                taskChanges++;
            } else if (trigger instanceof Unreadable) {
                unreadable++;
            }
        }
        // The mix reaches both outcomes in earnest, so the generator is not testing one path only.
        assertThat(taskChanges).as("task changes among %d mutants", MUTANTS).isGreaterThan(MUTANTS / 4);
        assertThat(unreadable).as("unreadable among %d mutants", MUTANTS).isGreaterThan(MUTANTS / 10);
    }

    /** One generated input, its label, and what must hold of its trigger besides never throwing. */
    private record Mutant(String label, byte[] bytes, Consumer<CompletionTrigger> expectation) {
    }

    private static CompletionTrigger check(Mutant mutant) {
        CompletionTrigger trigger = readSafely(mutant.bytes(), mutant.label());
        if (trigger instanceof TaskChange change) {
            invariants(change.task(), mutant.label());
        }
        try {
            mutant.expectation().accept(trigger);
        } catch (AssertionError e) {
            throw new AssertionError(mutant.label() + ": " + e.getMessage() + "\n  input: "
                    + shortened(new String(mutant.bytes(), StandardCharsets.UTF_8)), e);
        }
        return trigger;
    }

    /** What holds of every task read(), whatever the input. */
    private static void invariants(StoppedTask task, String label) {
        assertThat(task.taskArn()).as(label + ": taskArn").isNotEmpty();
        TEXT_FIELDS.forEach((name, getter) -> assertThat((String) getter.apply(task)).as(label + ": " + name).isNotEqualTo(""));
        assertThat(task.version()).as(label + ": version").isGreaterThanOrEqualTo(-1);
        assertThat(task.containers()).as(label + ": containers").isNotNull().doesNotContainNull();
        assertThat(task.stopped()).as(label + ": stopped()").isEqualTo("STOPPED".equals(task.lastStatus()));
        for (Container container : task.containers()) {
            assertThat(container.name()).as(label + ": container name").isNotEqualTo("");
            if (container.exitCode() != null) {
                assertThat(Math.abs((long) container.exitCode())).as(label + ": exit code").isLessThan(1_000_000_000L);
            }
        }
    }

    private static Mutant mutate(Random random, J original, StoppedTask before, String label) {
        int kind = random.nextInt(20);
        if (kind < 11) {
            // A field read() looks at, given a hostile value or removed.
            List<Object> path = pick(random, readPaths(original));
            J value = random.nextInt(8) == 0 ? null : hostileValue(random);
            return targeted(original, before, path, value, label + ": " + path + (value == null ? " removed" : " := " + describe(value)));
        }
        if (kind < 15) {
            // Anywhere at all.
            List<Object> path = pick(random, paths(original));
            J value = random.nextInt(6) == 0 ? null : hostileValue(random);
            return targeted(original, before, path, value, label + ": " + path + (value == null ? " removed" : " := " + describe(value)));
        }
        if (kind < 17) {
            // Several fields at once: only the invariants hold.
            J mutated = original;
            int changes = 2 + random.nextInt(6);
            for (int n = 0; n < changes; n++) {
                mutated = replace(mutated, pick(random, paths(mutated)), random.nextInt(5) == 0 ? null : hostileValue(random));
            }
            return new Mutant(label + ": " + changes + " changes", HostileEvents.bytes(mutated), trigger -> { });
        }
        if (kind == 17) {
            // A field repeated: a document with two values for one name is no event.
            List<Object> path = pick(random, readPaths(original).stream().filter(p -> p.getLast() instanceof String).toList());
            J mutated = duplicate(original, path, hostileValue(random));
            return new Mutant(label + ": " + path + " repeated", HostileEvents.bytes(mutated),
                    trigger -> assertThat(trigger).isInstanceOf(Unreadable.class));
        }
        // Damaged bytes: cut short, or bytes overwritten or inserted.
        byte[] bytes = HostileEvents.bytes(original);
        String how;
        if (kind == 18) {
            int at = random.nextInt(bytes.length - 1);
            bytes = Arrays.copyOf(bytes, at);
            how = "cut at byte " + at;
            return new Mutant(label + ": " + how, bytes, trigger -> assertThat(trigger).isInstanceOf(Unreadable.class));
        }
        int flips = 1 + random.nextInt(8);
        for (int n = 0; n < flips; n++) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        return new Mutant(label + ": " + flips + " bytes overwritten", bytes, trigger -> { });
    }

    /**
     * The input with {@code path} set to {@code value} (removed when null), and what read() must make of it:
     * the field that changed is read exactly, or is null when it is not a value of its type; every other field is
     * as it was.
     */
    private static Mutant targeted(J original, StoppedTask before, List<Object> path, J value, String label) {
        byte[] bytes = HostileEvents.bytes(replace(original, path, value));
        Consumer<CompletionTrigger> expectation = trigger -> { };
        String top = (String) path.getFirst();
        if (path.size() == 1 && (top.equals("source") || top.equals("detail-type"))) {
            boolean same = value instanceof Str s && s.value().equals(top.equals("source") ? "aws.ecs" : "ECS Task State Change");
            expectation = same ? unchanged(before) : trigger -> assertThat(trigger).isInstanceOf(Unreadable.class);
        } else if (path.size() == 1 && top.equals("detail")) {
            if (!(value instanceof Obj)) {
                expectation = trigger -> assertThat(trigger).isInstanceOf(Unreadable.class);
            }
        } else if (path.size() == 1) {
            expectation = unchanged(before);
        } else if (top.equals("detail")) {
            String name = (String) path.get(1);
            expectation = detailField(before, path, name, value);
        }
        return new Mutant(label, bytes, expectation);
    }

    private static Consumer<CompletionTrigger> detailField(StoppedTask before, List<Object> path, String name, J value) {
        if (path.size() == 2 && name.equals("taskArn")) {
            return nonEmptyText(value) == null ? trigger -> assertThat(trigger).isInstanceOf(Unreadable.class)
                    : except(before, "taskArn", task -> assertThat(task.taskArn()).isEqualTo(nonEmptyText(value)));
        }
        if (path.size() == 2 && TEXT_FIELDS.containsKey(name)) {
            return except(before, name, task -> assertThat(TEXT_FIELDS.get(name).apply(task)).as(name).isEqualTo(nonEmptyText(value)));
        }
        if (path.size() == 2 && TIME_FIELDS.containsKey(name)) {
            return except(before, name, task -> assertThat(TIME_FIELDS.get(name).apply(task)).as(name).isEqualTo(instant(value)));
        }
        if (path.size() == 2 && name.equals("version")) {
            return except(before, name, task -> {
                Long exact = integer(value, 18, false);
                if (exact != null) {
                    assertThat(task.version()).as("version").isEqualTo(exact);
                } else if (task.version() != -1) {
                    assertThat(value).as("version %d read from", task.version()).isInstanceOf(Num.class);
                    assertThat(new BigDecimal(((Num) value).text())).as("version").isEqualByComparingTo(BigDecimal.valueOf(task.version()));
                }
            });
        }
        if (path.size() == 2 && name.equals("containers")) {
            return except(before, name, task -> {
                long objects = value instanceof Arr array ? array.elements().stream().filter(Obj.class::isInstance).count() : 0;
                assertThat(task.containers()).as("containers").hasSize((int) objects);
            });
        }
        if (name.equals("containers") && path.size() >= 3) {
            int index = (Integer) path.get(2);
            if (path.size() == 3) {
                return except(before, name, task -> {
                    List<Container> expected = new ArrayList<>(before.containers());
                    if (value instanceof Obj) {
                        assertThat(task.containers()).hasSize(expected.size());
                    } else {
                        expected.remove(index);
                        assertThat(task.containers()).isEqualTo(expected);
                    }
                });
            }
            String field = (String) path.get(3);
            if (path.size() == 4) {
                return except(before, name, task -> {
                    assertThat(task.containers()).hasSize(before.containers().size());
                    Container was = before.containers().get(index);
                    Container now = task.containers().get(index);
                    switch (field) {
                        case "name" -> assertThat(now).isEqualTo(new Container(nonEmptyText(value), was.exitCode(), was.reason(), was.lastStatus()));
                        case "reason" -> assertThat(now).isEqualTo(new Container(was.name(), was.exitCode(), nonEmptyText(value), was.lastStatus()));
                        case "lastStatus" -> assertThat(now).isEqualTo(new Container(was.name(), was.exitCode(), was.reason(), nonEmptyText(value)));
                        case "exitCode" -> {
                            assertThat(now).isEqualTo(new Container(was.name(), now.exitCode(), was.reason(), was.lastStatus()));
                            Long exact = integer(value, 9, true);
                            if (exact != null) {
                                assertThat(now.exitCode()).as("exit code").isEqualTo(exact.intValue());
                            } else if (now.exitCode() != null) {
                                assertThat(value).as("exit code %d read from", now.exitCode()).isInstanceOf(Num.class);
                                assertThat(new BigDecimal(((Num) value).text())).as("exit code")
                                        .isEqualByComparingTo(BigDecimal.valueOf(now.exitCode()));
                            }
                        }
                        default -> assertThat(now).isEqualTo(was);
                    }
                }
                );
            }
            return except(before, name, task -> assertThat(task.containers()).hasSize(before.containers().size()));
        }
        // Any other part of the detail (attachments, overrides, ...) is not read: the task is as it was.
        return unchanged(before);
    }

    private static Consumer<CompletionTrigger> unchanged(StoppedTask before) {
        return trigger -> assertThat(trigger).isEqualTo(new TaskChange(before));
    }

    /** A TaskChange, equal to {@code before} in every field but {@code name}, which {@code check} judges. */
    private static Consumer<CompletionTrigger> except(StoppedTask before, String name, Consumer<StoppedTask> check) {
        return trigger -> {
            assertThat(trigger).isInstanceOf(TaskChange.class);
            StoppedTask task = ((TaskChange) trigger).task();
            ALL_FIELDS.forEach((field, getter) -> {
                if (!field.equals(name)) {
                    assertThat(getter.apply(task)).as(field).isEqualTo(getter.apply(before));
                }
            });
            check.accept(task);
        };
    }

    private static String nonEmptyText(J value) {
        return value instanceof Str text && !text.value().isEmpty() ? text.value() : null;
    }

    private static Instant instant(J value) {
        String text = nonEmptyText(value);
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The value when it is an integer written plainly in at most {@code digits} digits (with a sign if allowed), else null. */
    private static Long integer(J value, int digits, boolean signed) {
        String shape = (signed ? "-?" : "") + "(0|[1-9]\\d*)";
        if (!(value instanceof Num number) || !number.text().matches(shape) || number.text().replace("-", "").length() > digits) {
            return null;
        }
        return Long.parseLong(number.text());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Hostile values, and a small JSON model to put them anywhere

    private static final List<String> NUMBERS = List.of("0", "-0", "1", "-1", "137", "255", "-255", "0.0", "1.5", "-0.5", "1E+2", "1e2",
            "999999999", "1000000000", "-999999999", "2147483647", "2147483648", "-2147483649", "4294967296", "999999999999999999",
            "9223372036854775807", "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890",
            "1e999999999", "-1e999999999", "1E-999999999", "1e308", "1e309", "4.9e-324", "1.7976931348623157e308", "1" + "0".repeat(999));
    private static final List<String> WORDS = List.of("", " ", "STOPPED", "stopped", "RUNNING", "null", "0", "true", "aws.ecs",
            "ECS Task State Change", "migration:app", "migration:", "gh-7301122334-1", "app", "TaskFailedToStart",
            "2025-06-03T09:15:03.652Z", "2025-06-03T09:15:03Z", "1970-01-01T00:00:00Z", "2025-06-03T09:15:03.652", "+1000000000-12-31T23:59:59Z",
            "-1000000000-01-01T00:00:00Z", "2025-02-30T00:00:00Z", "arn:aws:ecs:us-east-1:123456789012:task/migrations/other",
            "\u0000", "\ud800", "\udfff\ud800", "\u2028\u2029", "line\nbreak\r\n", "quote\"back\\slash", "\ud83d\ude00", "\u4e2d\u6587",
            "\u202e\u0645\u0631\u062d\u0628\u0627");
    private static final String ODD = "abcXYZ019 .:/-_\"\\\u0000\u001f\u007f\u00e9\u4e2d\ud83d\ude00\ud800\t\r\n\u2028";

    private static J hostileValue(Random random) {
        return switch (random.nextInt(11)) {
            case 0 -> new Null();
            case 1, 2 -> new Num(pick(random, NUMBERS));
            case 3 -> new Bool(random.nextBoolean());
            case 4, 5 -> new Str(pick(random, WORDS));
            case 6 -> new Str(randomText(random, 0, 40));
            case 7 -> new Str("\u00e9x".repeat(1 + random.nextInt(random.nextInt(10) == 0 ? 100_000 : 200)));
            case 8 -> nested(random.nextInt(random.nextInt(5) == 0 ? 800 : 10));
            case 9 -> new Arr(List.of(new Num(pick(random, NUMBERS)), new Str(pick(random, WORDS)), new Obj(List.of())));
            default -> new Obj(List.of(new Field("name", new Str("app")), new Field("exitCode", new Num(pick(random, NUMBERS))),
                    new Field(randomText(random, 0, 5), new Null())));
        };
    }

    private static J nested(int depth) {
        J value = new Str("deep");
        for (int i = 0; i < depth; i++) {
            value = i % 2 == 0 ? new Arr(List.of(value)) : new Obj(List.of(new Field("n", value)));
        }
        return value;
    }

    private static String randomText(Random random, int least, int most) {
        StringBuilder text = new StringBuilder();
        for (int n = least + random.nextInt(most - least + 1); n > 0; n--) {
            text.append(ODD.charAt(random.nextInt(ODD.length())));
        }
        return text.toString();
    }

    private static <T> T pick(Random random, List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    static J toJ(JsonNode node) {
        if (node.isObject()) {
            List<Field> fields = new ArrayList<>();
            node.properties().forEach(e -> fields.add(new Field(e.getKey(), toJ(e.getValue()))));
            return new Obj(fields);
        }
        if (node.isArray()) {
            List<J> elements = new ArrayList<>();
            node.forEach(e -> elements.add(toJ(e)));
            return new Arr(elements);
        }
        if (node.isTextual()) {
            return new Str(node.textValue());
        }
        if (node.isNumber()) {
            return new Num(node.asText());
        }
        if (node.isBoolean()) {
            return new Bool(node.booleanValue());
        }
        return new Null();
    }

    /** Every path in the document: names of object members and indexes of array elements. */
    private static List<List<Object>> paths(J root) {
        List<List<Object>> paths = new ArrayList<>();
        collect(root, List.of(), paths);
        return paths;
    }

    private static void collect(J value, List<Object> at, List<List<Object>> paths) {
        if (!at.isEmpty()) {
            paths.add(at);
        }
        switch (value) {
            case Obj object -> object.fields().forEach(f -> collect(f.value(), append(at, f.name()), paths));
            case Arr array -> {
                for (int i = 0; i < array.elements().size(); i++) {
                    collect(array.elements().get(i), append(at, i), paths);
                }
            }
            default -> { }
        }
    }

    /** The paths read() looks at, plus the envelope's. */
    private static List<List<Object>> readPaths(J root) {
        return paths(root).stream().filter(p -> p.size() == 1 && List.of("source", "detail-type", "detail").contains(p.getFirst())
                || p.size() == 2 && p.getFirst().equals("detail") && ALL_FIELDS.containsKey((String) p.get(1))
                || p.size() >= 3 && p.size() <= 4 && p.get(1).equals("containers")).toList();
    }

    private static List<Object> append(List<Object> path, Object step) {
        List<Object> longer = new ArrayList<>(path);
        longer.add(step);
        return List.copyOf(longer);
    }

    /** The document with the value at {@code path} replaced, or removed when {@code value} is null. */
    private static J replace(J root, List<Object> path, J value) {
        if (path.isEmpty()) {
            return value;
        }
        Object step = path.getFirst();
        List<Object> rest = path.subList(1, path.size());
        return switch (root) {
            case Obj object -> {
                List<Field> fields = new ArrayList<>();
                for (Field field : object.fields()) {
                    if (!field.name().equals(step)) {
                        fields.add(field);
                    } else if (!rest.isEmpty() || value != null) {
                        fields.add(new Field(field.name(), replace(field.value(), rest, value)));
                    }
                }
                yield new Obj(fields);
            }
            case Arr array -> {
                List<J> elements = new ArrayList<>(array.elements());
                int index = (Integer) step;
                if (rest.isEmpty() && value == null) {
                    elements.remove(index);
                } else {
                    elements.set(index, replace(elements.get(index), rest, value));
                }
                yield new Arr(elements);
            }
            default -> throw new IllegalArgumentException("no path " + path + " in " + root);
        };
    }

    /** The document with the member at {@code path} written twice, the second time with {@code value}. */
    private static J duplicate(J root, List<Object> path, J value) {
        Object step = path.getFirst();
        List<Object> rest = path.subList(1, path.size());
        return switch (root) {
            case Obj object -> {
                List<Field> fields = new ArrayList<>();
                for (Field field : object.fields()) {
                    if (field.name().equals(step) && rest.isEmpty()) {
                        fields.add(field);
                        fields.add(new Field(field.name(), value));
                    } else if (field.name().equals(step)) {
                        fields.add(new Field(field.name(), duplicate(field.value(), rest, value)));
                    } else {
                        fields.add(field);
                    }
                }
                yield new Obj(fields);
            }
            case Arr array -> {
                List<J> elements = new ArrayList<>(array.elements());
                int index = (Integer) step;
                elements.set(index, duplicate(elements.get(index), rest, value));
                yield new Arr(elements);
            }
            default -> throw new IllegalArgumentException("no member " + path + " in " + root);
        };
    }

    private static String describe(J value) {
        return shortened(new String(HostileEvents.bytes(value), StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------------------------------------------------

    /** read(), which must answer within a few seconds and never throw, whatever the bytes. */
    private static CompletionTrigger readSafely(byte[] bytes, String label) {
        try {
            CompletionTrigger trigger = CompletionTrigger.read(bytes);
            assertThat(trigger).as(label).isNotNull();
            if (trigger instanceof Unreadable unreadable) {
                assertThat(unreadable.reason()).as(label + ": reason").isNotBlank();
            }
            return trigger;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            return fail(label + ": read() threw " + e + "\n  input: " + shortened(new String(bytes, StandardCharsets.UTF_8)), e);
        }
    }

    private static CompletionTrigger readWithin(byte[] bytes) {
        return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> readSafely(bytes, bytes.length + " bytes"));
    }

    private static byte[] taskChange(String detail) {
        return bytes("{\"version\":\"0\",\"id\":\"105f6bb1-4da6-c630-4965-35383018cbca\",\"detail-type\":\"ECS Task State Change\","
                + "\"source\":\"aws.ecs\",\"account\":\"123456789012\",\"time\":\"2025-06-03T09:15:03Z\",\"region\":\"us-east-1\","
                + "\"resources\":[],\"detail\":" + detail + "}");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String shortened(String text) {
        return text.length() > 300 ? text.substring(0, 297) + "..." : text;
    }
}
