package dev.ecsmigrate.verdict;

import dev.ecsmigrate.complete.CompletionTrigger;
import dev.ecsmigrate.contract.MigrationResult;
import dev.ecsmigrate.verdict.Judgement.Undecided;
import dev.ecsmigrate.verdict.Judgement.Verdict;
import dev.ecsmigrate.verdict.MigrationContainer.Essentials;
import dev.ecsmigrate.verdict.MigrationContainer.Named;
import dev.ecsmigrate.verdict.StoppedTask.Container;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static dev.ecsmigrate.contract.MigrationResult.FAILED;
import static dev.ecsmigrate.contract.MigrationResult.NOT_STARTED;
import static dev.ecsmigrate.contract.MigrationResult.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The verdict rules (CONTRACT.md sections 3 and 5) as a matrix: which container decides, then what its end means.
 * A seeded generator then checks the rules' invariants over many stopped tasks no one wrote by hand.
 */
class VerdictsTest {

    private static final String TASK_DEFINITION = "arn:aws:ecs:us-east-1:123456789012:task-definition/app:42";
    private static final String EXITED = "Essential container in task exited";
    private static final String PULL_ERROR = "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: "
            + "httpReaderSeeker: failed open: unexpected status code";
    private static final String OOM = "OutOfMemoryError: Container killed due to memory usage";

    private static StoppedTask stopped(String stopCode, String stoppedReason, List<Container> containers) {
        return new StoppedTask("arn:aws:ecs:us-east-1:123456789012:task/migrations/7c1e9a3b5d2f4e6a8b0c1d2e3f4a5b6c",
                "arn:aws:ecs:us-east-1:123456789012:cluster/migrations", "migration:app", "gh-7301122334-1", TASK_DEFINITION, "STOPPED",
                stopCode, stoppedReason, null, null, null, 6, containers);
    }

    private static Container container(String name, Integer exitCode) {
        return container(name, exitCode, null);
    }

    private static Container container(String name, Integer exitCode, String reason) {
        return new Container(name, exitCode, reason, "STOPPED");
    }

    private static Essentials essentials(String... names) {
        return new Essentials(List.of(names));
    }

    private static Verdict verdict(Judgement judgement) {
        assertThat(judgement).isInstanceOf(Verdict.class);
        return (Verdict) judgement;
    }

    /** One human sentence: text on one line, with no gap a missing value left behind. */
    private static void assertOneSentence(String reason) {
        assertThat(reason).as("reason").isNotBlank().doesNotContain("\n", "\r", "null", "  ").isEqualTo(reason.strip());
    }

    // --- which container decides ------------------------------------------------------------------

    static Stream<Arguments> deciders() {
        return Stream.of(
                arguments("the named container, while another fails", new Named("app"),
                        List.of(container("log-router", 1), container("app", 0)), "app", SUCCEEDED, 0),
                arguments("a named sidecar, though another is the essential one", new Named("log-router"),
                        List.of(container("app", 0), container("log-router", 7)), "log-router", FAILED, 7),
                arguments("the only essential: a sidecar exiting 0 never hides its 1", essentials("app"),
                        List.of(container("log-router", 0), container("app", 1)), "app", FAILED, 1),
                arguments("the only essential: a sidecar killed with 137 never fails its 0", essentials("app"),
                        List.of(container("log-router", 137), container("app", 0)), "app", SUCCEEDED, 0),
                arguments("the only essential, listed last of three", essentials("migrate"),
                        List.of(container("xray", 0), container("log-router", 0), container("migrate", 3)), "migrate", FAILED, 3),
                arguments("a named container the task does not have", new Named("migrate"),
                        List.of(container("app", 0)), "migrate", NOT_STARTED, null),
                arguments("an only essential the task does not have", essentials("app"),
                        List.of(container("log-router", 0)), "app", NOT_STARTED, null),
                arguments("a task without containers", essentials("app"), List.of(), "app", NOT_STARTED, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deciders")
    void judge_whenAContainerIsChosen_thatContainerDecides(String description, MigrationContainer choice, List<Container> containers,
                                                           String decider, MigrationResult result, Integer exitCode) {
        Verdict verdict = verdict(Verdicts.judge(stopped("EssentialContainerExited", EXITED, containers), choice));

        assertThat(verdict.container()).isEqualTo(decider);
        assertThat(verdict.result()).isEqualTo(result);
        assertThat(verdict.exitCode()).isEqualTo(exitCode);
        assertThat(verdict.stopCode()).isEqualTo("EssentialContainerExited");
        assertThat(verdict.reason()).contains(decider);
        assertOneSentence(verdict.reason());
    }

    @Test
    void judge_whenTheNamedContainerIsMissing_saysSoInTheReason() {
        Verdict verdict = verdict(Verdicts.judge(stopped("EssentialContainerExited", EXITED, List.of(container("app", 0))),
                new Named("migrate")));

        assertThat(verdict.reason()).isEqualTo("the task has no container migrate; stop code EssentialContainerExited: " + EXITED);
    }

    static Stream<Arguments> ambiguousEssentials() {
        return Stream.of(
                arguments(List.of("app", "proxy"), List.of(container("app", 0), container("proxy", 0))),
                arguments(List.of("proxy", "app"), List.of(container("app", 1), container("proxy", 0))),
                arguments(List.of("app", "proxy", "xray"), List.of(container("xray", 0), container("app", 0), container("proxy", 137))),
                arguments(List.of(), List.of(container("app", 0))));
    }

    @ParameterizedTest(name = "essentials {0}")
    @MethodSource("ambiguousEssentials")
    void judge_whenNotExactlyOneEssentialAndNoName_isUndecidedNamingThemAll(List<String> names, List<Container> containers) {
        Judgement judgement = Verdicts.judge(stopped("EssentialContainerExited", EXITED, containers), new Essentials(names));

        assertThat(judgement).isInstanceOf(Undecided.class);
        Undecided undecided = (Undecided) judgement;
        assertThat(undecided.reason()).contains(TASK_DEFINITION, names.size() + " essential containers", "ContainerName");
        names.forEach(name -> assertThat(undecided.reason()).contains(name));
        assertOneSentence(undecided.reason());
        assertThat(undecided.stopCode()).isEqualTo("EssentialContainerExited");
        // What the record and the completion event carry: a failure that names no container and no exit code.
        Verdict recorded = undecided.verdict();
        assertThat(recorded.result()).isEqualTo(FAILED);
        assertThat(recorded.exitCode()).isNull();
        assertThat(recorded.container()).isNull();
        assertThat(recorded.reason()).isEqualTo(undecided.reason());
        assertThat(recorded.stopCode()).isEqualTo("EssentialContainerExited");
    }

    @Test
    void judge_whenTwoEssentialsAndNoName_namesBoth() {
        Judgement judgement = Verdicts.judge(stopped("EssentialContainerExited", EXITED, List.of(container("app", 0), container("proxy", 0))),
                essentials("app", "proxy"));

        assertThat(judgement).isEqualTo(new Undecided("cannot tell which container is the migration: the task definition " + TASK_DEFINITION
                + " has 2 essential containers (app, proxy); name it with the ContainerName parameter", "EssentialContainerExited"));
    }

    // --- what the deciding container's end means -------------------------------------------------------

    static Stream<Arguments> ends() {
        return Stream.of(
                // stop code, stopped reason, exit code, container reason -> result, exit code, in the reason
                arguments("EssentialContainerExited", EXITED, 0, null, SUCCEEDED, 0, "container app exited 0"),
                arguments("EssentialContainerExited", EXITED, 1, null, FAILED, 1,
                        "container app exited 1; stop code EssentialContainerExited: " + EXITED),
                arguments("EssentialContainerExited", EXITED, 3, null, FAILED, 3, "container app exited 3"),
                arguments("EssentialContainerExited", EXITED, 124, null, FAILED, 124, "container app exited 124"),
                arguments("EssentialContainerExited", EXITED, 125, null, FAILED, 125, "container app exited 125"),
                arguments("EssentialContainerExited", EXITED, 130, null, FAILED, 130, "container app exited 130"),
                arguments("EssentialContainerExited", EXITED, 255, null, FAILED, 255, "container app exited 255"),
                arguments("EssentialContainerExited", EXITED, 137, OOM, FAILED, 137, "container app exited 137 (" + OOM + ")"),
                arguments("UserInitiated", "Task stopped by user", 143, null, FAILED, 143,
                        "container app exited 143; stop code UserInitiated: Task stopped by user"),
                arguments(null, null, 0, null, SUCCEEDED, 0, "container app exited 0"),
                arguments(null, null, 2, null, FAILED, 2, "container app exited 2; stop code none: no reason given"),
                arguments("TaskFailedToStart", PULL_ERROR, null, PULL_ERROR, NOT_STARTED, null, "the task failed to start: " + PULL_ERROR),
                arguments("TaskFailedToStart", PULL_ERROR, null, null, NOT_STARTED, null, "the task failed to start: " + PULL_ERROR),
                arguments("TaskFailedToStart", PULL_ERROR, 1, PULL_ERROR, NOT_STARTED, null, "the task failed to start: CannotPullContainerError"),
                arguments("TaskFailedToStart", "ResourceInitializationError: unable to pull secrets or registry auth", 0, null, NOT_STARTED,
                        null, "the task failed to start: ResourceInitializationError"),
                arguments("TaskFailedToStart", null, null, null, NOT_STARTED, null, "the task failed to start: no reason given"),
                arguments("UserInitiated", "Task stopped by user", null, null, NOT_STARTED, null,
                        "container app stopped without an exit code (stop code UserInitiated: Task stopped by user)"),
                arguments("ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ecs-svc/1234567890123456789)", null, null,
                        NOT_STARTED, null, "stopped without an exit code (stop code ServiceSchedulerInitiated: Scaling activity"),
                arguments("SpotInterruption", "Your Spot Task was interrupted.", null, null, NOT_STARTED, null,
                        "stopped without an exit code (stop code SpotInterruption: Your Spot Task was interrupted.)"),
                arguments("TerminationNotice", "Your Spot Task was interrupted.", null, null, NOT_STARTED, null,
                        "stop code TerminationNotice"),
                arguments(null, null, null, null, NOT_STARTED, null, "container app stopped without an exit code (stop code none: no reason given)"));
    }

    @ParameterizedTest(name = "stop code {0}, exit code {2}, container reason {3} -> {4}")
    @MethodSource("ends")
    void judge_whenTheDecidingContainerEndedSo_theResultFollows(String stopCode, String stoppedReason, Integer exitCode, String containerReason,
                                                               MigrationResult result, Integer expectedExitCode, String inReason) {
        StoppedTask task = stopped(stopCode, stoppedReason, List.of(container("log-router", 0), container("app", exitCode, containerReason)));

        for (MigrationContainer choice : List.of(new Named("app"), essentials("app"))) {
            Verdict verdict = verdict(Verdicts.judge(task, choice));

            assertThat(verdict).as("chosen as %s", choice)
                    .isEqualTo(new Verdict(result, expectedExitCode, stopCode, verdict.reason(), "app"));
            assertThat(verdict.reason()).contains(inReason);
            assertOneSentence(verdict.reason());
        }
    }

    /** The samples, read as the completion function reads them: the raw bytes of an ECS event. */
    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(nullValues = "-", textBlock = """
            stopped-succeeded.json,             app,        succeeded,   0,   EssentialContainerExited
            stopped-exit-1.json,                app,        failed,      1,   EssentialContainerExited
            stopped-oom-137.json,               app,        failed,      137, EssentialContainerExited
            stopped-failed-to-start-pull.json,  app,        not_started, -,   TaskFailedToStart
            stopped-no-exit-code.json,          app,        not_started, -,   UserInitiated
            stopped-sidecar.json,               app,        succeeded,   0,   EssentialContainerExited
            stopped-sidecar.json,               log-router, failed,      137, EssentialContainerExited
            service-task-stopped.json,          app,        succeeded,   0,   ServiceSchedulerInitiated
            other-family-stopped.json,          app,        succeeded,   0,   EssentialContainerExited
            """)
    void judge_sampleTaskEvents_asTheCompletionFunctionReadsThem(String file, String essential, String result, Integer exitCode,
                                                                  String stopCode) {
        StoppedTask task = taskOf(file);

        Verdict verdict = verdict(Verdicts.judge(task, essentials(essential)));

        assertThat(verdict.result().word()).isEqualTo(result);
        assertThat(verdict.exitCode()).isEqualTo(exitCode);
        assertThat(verdict.stopCode()).isEqualTo(stopCode);
        assertThat(verdict.container()).isEqualTo(essential);
        assertOneSentence(verdict.reason());
    }

    @Test
    void judge_oomSample_putsTheContainersReasonInTheReason() {
        Verdict verdict = verdict(Verdicts.judge(taskOf("stopped-oom-137.json"), essentials("app")));

        assertThat(verdict.reason()).isEqualTo("container app exited 137 (" + OOM + "); stop code EssentialContainerExited: " + EXITED);
    }

    @Test
    void judge_pullErrorSample_isNotStartedWithThePullError() {
        Verdict verdict = verdict(Verdicts.judge(taskOf("stopped-failed-to-start-pull.json"), new Named("app")));

        assertThat(verdict).isEqualTo(new Verdict(NOT_STARTED, null, "TaskFailedToStart", "the task failed to start: " + PULL_ERROR, "app"));
    }

    static StoppedTask taskOf(String file) {
        try (InputStream in = VerdictsTest.class.getResourceAsStream("/task-events/" + file)) {
            assertThat(in).as("src/test/resources/task-events/" + file).isNotNull();
            CompletionTrigger trigger = CompletionTrigger.read(in.readAllBytes());
            assertThat(trigger).isInstanceOf(CompletionTrigger.TaskChange.class);
            return ((CompletionTrigger.TaskChange) trigger).task();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- invariants over generated tasks --------------------------------------------------------------

    private static final int GENERATED = 5_000;
    private static final List<String> NAMES = List.of("app", "migrate", "log-router", "proxy", "xray-daemon", "datadog-agent");
    private static final List<String> STOP_CODES = Arrays.asList(null, "", "EssentialContainerExited", "EssentialContainerExited",
            "TaskFailedToStart", "UserInitiated", "ServiceSchedulerInitiated", "SpotInterruption", "TerminationNotice", "InfrastructureHealth",
            "SomeFutureStopCode");
    private static final List<String> REASONS = Arrays.asList(null, null, null, "", "   ", EXITED, OOM, PULL_ERROR, "Task stopped by user",
            "Your Spot Task was interrupted.", "Scaling activity initiated by (deployment ecs-svc/1234567890123456789)");
    private static final int[] EXIT_CODES = {1, 2, 3, 64, 124, 125, 126, 127, 130, 137, 139, 143, 255};

    /** A container definition of the generated task's task definition; {@code essential} null when the definition leaves it out. */
    private record Definition(String name, Boolean essential) {

        boolean isEssential() {
            return essential == null || essential;
        }
    }

    /** One generated case: the task definition's containers, the stopped task, and how the migration container is chosen. */
    private record Generated(int index, List<Definition> definitions, StoppedTask task, MigrationContainer choice) {

        List<String> essentialNames() {
            return definitions.stream().filter(Definition::isEssential).map(Definition::name).toList();
        }
    }

    private static Generated generate(Random random, int index) {
        List<String> pool = new ArrayList<>(NAMES);
        Collections.shuffle(pool, random);
        List<Definition> definitions = new ArrayList<>();
        for (String name : pool.subList(0, 1 + random.nextInt(4))) {
            int roll = random.nextInt(10);
            definitions.add(new Definition(name, roll < 6 ? Boolean.FALSE : roll < 8 ? Boolean.TRUE : null));
        }
        List<Container> containers = new ArrayList<>();
        for (Definition definition : definitions) {
            containers.add(new Container(random.nextInt(50) == 0 ? null : definition.name(), exitCode(random), pick(random, REASONS),
                    random.nextBoolean() ? "STOPPED" : null));
        }
        Collections.shuffle(containers, random);
        if (random.nextInt(10) == 0) {
            containers.clear();
        } else if (random.nextInt(10) == 0) {
            containers.remove(random.nextInt(containers.size()));
        }
        StoppedTask task = new StoppedTask("arn:aws:ecs:us-east-1:123456789012:task/migrations/" + Integer.toHexString(index),
                "arn:aws:ecs:us-east-1:123456789012:cluster/migrations", "migration:app", "gh-" + index, TASK_DEFINITION, "STOPPED",
                pick(random, STOP_CODES), pick(random, REASONS), null, null, null, random.nextInt(10), containers);
        Generated generated = new Generated(index, definitions, task, null);
        MigrationContainer choice = random.nextInt(10) < 4
                ? new Named(random.nextInt(8) == 0 ? "seed-data" : definitions.get(random.nextInt(definitions.size())).name())
                : new Essentials(generated.essentialNames());
        return new Generated(index, definitions, task, choice);
    }

    private static Integer exitCode(Random random) {
        return switch (random.nextInt(8)) {
            case 0, 1 -> null;
            case 2, 3 -> 0;
            case 4, 5, 6 -> EXIT_CODES[random.nextInt(EXIT_CODES.length)];
            default -> random.nextBoolean() ? 1 + random.nextInt(255) : random.nextInt();
        };
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /**
     * Over generated stopped tasks: the verdict never throws; it succeeds exactly when the deciding container exited 0 and the
     * task did not fail to start; it carries an exit code exactly when it succeeded or failed; and with no name given, the
     * container it names is the task definition's only essential one, never a sidecar. A failure prints the seed: rerun it with
     * {@code -Dverdicts.seed=N}.
     */
    @Test
    void judge_generatedStoppedTasks_keepTheInvariants() {
        long seed = Long.getLong("verdicts.seed", System.nanoTime());
        System.out.println("VerdictsTest seed " + seed + " (rerun with -Dverdicts.seed=" + seed + ")");
        Random random = new Random(seed);
        Map<MigrationResult, Integer> results = new EnumMap<>(MigrationResult.class);
        int undecided = 0;
        for (int i = 0; i < GENERATED; i++) {
            Generated generated = generate(random, i);
            String what = "seed " + seed + ", case " + i + ": " + generated;
            Judgement judgement;
            try {
                judgement = Verdicts.judge(generated.task(), generated.choice());
            } catch (RuntimeException e) {
                throw new AssertionError("Verdicts.judge threw for " + what, e);
            }
            String decider = switch (generated.choice()) {
                case Named named -> named.name();
                case Essentials essentials -> essentials.names().size() == 1 ? essentials.names().getFirst() : null;
            };
            if (decider == null) {
                assertThat(judgement).as(what).isInstanceOf(Undecided.class);
                Undecided ambiguous = (Undecided) judgement;
                assertThat(ambiguous.reason()).as(what).doesNotContain("\n", "null");
                generated.essentialNames().forEach(name -> assertThat(ambiguous.reason()).as(what).contains(name));
                assertThat(ambiguous.stopCode()).as(what).isEqualTo(generated.task().stopCode());
                assertThat(ambiguous.verdict().container()).as(what).isNull();
                assertThat(ambiguous.verdict().exitCode()).as(what).isNull();
                undecided++;
                continue;
            }
            Verdict verdict = verdict(judgement);
            Container deciding = generated.task().container(decider).orElse(null);
            Integer exitCode = deciding == null ? null : deciding.exitCode();
            boolean failedToStart = "TaskFailedToStart".equals(generated.task().stopCode());

            assertThat(verdict.container()).as(what).isEqualTo(decider);
            if (generated.choice() instanceof Essentials) {
                assertThat(generated.essentialNames()).as("%s: never a non-essential container", what).contains(verdict.container());
            }
            assertThat(verdict.result() == SUCCEEDED).as("%s: succeeded iff exit code 0 and it started", what)
                    .isEqualTo(!failedToStart && Integer.valueOf(0).equals(exitCode));
            assertThat(verdict.result() == FAILED).as("%s: failed iff a non-zero exit code and it started", what)
                    .isEqualTo(!failedToStart && exitCode != null && exitCode != 0);
            assertThat(verdict.exitCode() != null).as("%s: an exit code iff succeeded or failed", what)
                    .isEqualTo(verdict.result() == SUCCEEDED || verdict.result() == FAILED);
            if (verdict.exitCode() != null) {
                assertThat(verdict.exitCode()).as(what).isEqualTo(exitCode);
            }
            assertThat(verdict.stopCode()).as(what).isEqualTo(generated.task().stopCode());
            assertThat(verdict.reason()).as(what).isNotBlank().doesNotContain("\n", "null");
            results.merge(verdict.result(), 1, Integer::sum);
        }
        System.out.println("VerdictsTest generated " + GENERATED + " stopped tasks: " + results + ", undecided " + undecided);
        // The generator reaches every outcome, so each invariant above is exercised.
        assertThat(results).as("seed " + seed).containsOnlyKeys(MigrationResult.values()).allSatisfy((result, count) ->
                assertThat(count).as("%s (seed %d)", result, seed).isGreaterThan(GENERATED / 50));
        assertThat(undecided).as("seed " + seed).isGreaterThan(GENERATED / 50);
    }
}
