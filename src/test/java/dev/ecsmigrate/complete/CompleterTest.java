package dev.ecsmigrate.complete;

import dev.ecsmigrate.complete.Completer.Completed;
import dev.ecsmigrate.complete.Completer.Ignored;
import dev.ecsmigrate.complete.Completer.Outcome;
import dev.ecsmigrate.complete.Completer.Republished;
import dev.ecsmigrate.complete.Completer.SweepReport;
import dev.ecsmigrate.complete.RunLedger.AlreadyJudged;
import dev.ecsmigrate.complete.RunLedger.Recorded;
import dev.ecsmigrate.complete.RunLedger.Run;
import dev.ecsmigrate.complete.RunLedger.Superseded;
import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.contract.Completion;
import dev.ecsmigrate.contract.MigrationMetric;
import dev.ecsmigrate.contract.MigrationResult;
import dev.ecsmigrate.metrics.Metrics;
import dev.ecsmigrate.testing.Fixtures;
import dev.ecsmigrate.verdict.StoppedTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.ecsmigrate.complete.CompletionTriggerTest.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

/**
 * {@link Completer} with its ports mocked: what it records, releases, publishes and measures, and in which order;
 * and, as much, what it must never do (a second verdict, a release for another attempt, a write for a task not ours).
 * The stopped tasks are the samples in {@code completion-events/}, read as the function reads them.
 */
@ExtendWith(MockitoExtension.class)
class CompleterTest {

    private static final Instant NOW = Instant.parse("2025-06-03T20:00:00Z");
    private static final String CORRELATION_ID = "gh-7301122334-1";
    private static final String CLUSTER = "migrations";
    private static final String APP_42 = "arn:aws:ecs:us-east-1:123456789012:task-definition/app:42";
    private static final String OLDER_ATTEMPT = "arn:aws:ecs:us-east-1:123456789012:task/migrations/0000older0attempt0000000000000";

    @Mock
    private RunLedger ledger;
    @Mock
    private TaskStates tasks;
    @Mock
    private CompletionPublisher publisher;
    @Mock
    private Metrics metrics;

    private final RunnerConfig config = Fixtures.config();

    private Completer completer() {
        return completer(config);
    }

    private Completer completer(RunnerConfig config) {
        return new Completer(config, ledger, tasks, publisher, metrics, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** The run record the starter wrote for this task, with no verdict yet. */
    private static Run run(StoppedTask task) {
        return new Run(CORRELATION_ID, "STARTED", task.taskArn(), null, APP_42, NOW.minus(Duration.ofHours(9)), null, false, false);
    }

    private static Run judged(Run run, Completion verdict, boolean published) {
        return new Run(run.correlationId(), run.status(), run.taskArn(), run.container(), run.taskDefinition(), run.createdAt(), verdict,
                published, false);
    }

    /** A verdict other than any the samples give: a run that failed earlier, with its own reason. */
    private static Completion storedVerdict(StoppedTask task) {
        return new Completion(MigrationResult.FAILED, 3, "EssentialContainerExited", "container app exited 3 (stored first)", "app",
                CORRELATION_ID, task.taskArn(), APP_42, CLUSTER, Instant.parse("2025-06-03T09:00:00Z"), Instant.parse("2025-06-03T09:01:00Z"));
    }

    private static StoppedTask changed(StoppedTask t, String field, Object value) {
        return new StoppedTask(t.taskArn(),
                field.equals("clusterArn") ? (String) value : t.clusterArn(),
                field.equals("group") ? (String) value : t.group(),
                field.equals("startedBy") ? (String) value : t.startedBy(),
                t.taskDefinitionArn(),
                field.equals("lastStatus") ? (String) value : t.lastStatus(),
                t.stopCode(), t.stoppedReason(),
                field.equals("createdAt") ? (Instant) value : t.createdAt(),
                field.equals("startedAt") ? (Instant) value : t.startedAt(),
                t.stoppedAt(), t.version(), t.containers());
    }

    // ---------------------------------------------------------------------------------------------------------
    // complete(): a stopped task of ours

    @Test
    void complete_whenOurTaskSucceeded_recordsMeasuresReleasesPublishesAndMarksPublishedLast() {
        StoppedTask task = task("stopped-succeeded.json");
        Run run = run(task);
        Completion expected = new Completion(MigrationResult.SUCCEEDED, 0, "EssentialContainerExited", "container app exited 0", "app",
                CORRELATION_ID, task.taskArn(), APP_42, CLUSTER, Instant.parse("2025-06-03T09:10:23.409Z"),
                Instant.parse("2025-06-03T09:15:03.652Z"));
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(run));
        when(ledger.judge(run, expected)).thenReturn(new Recorded());

        Outcome outcome = completer().complete(task);

        assertThat(outcome).isEqualTo(new Completed(expected));
        InOrder order = inOrder(ledger, publisher, metrics);
        order.verify(ledger).run(CORRELATION_ID);
        order.verify(ledger).judge(run, expected);
        // Counted once, right after the verdict: a retry that finishes the rest never counts again.
        order.verify(metrics).record(CLUSTER, "app", Map.of(MigrationMetric.SUCCEEDED, 1, MigrationMetric.DURATION, 280L));
        order.verify(ledger).release("app", CORRELATION_ID, task.taskArn());
        order.verify(publisher).publish(expected);
        // Last: a failure before it leaves the run (still on the awaiting index) for a retry or the sweep to finish.
        order.verify(ledger).published(CORRELATION_ID);
        verifyNoMoreInteractions(ledger, publisher, metrics);
        verifyNoInteractions(tasks);
        assertThat(outcome.toJson()).startsWith("{\"outcome\":\"completed\",\"result\":\"succeeded\",\"exit_code\":0,");
    }

    /** file, result, exit code, the outcome's metric, the duration metric in seconds (none: not recorded). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "none", value = {
            "stopped-succeeded.json,            SUCCEEDED,   0,    SUCCEEDED,       280",
            "stopped-exit-1.json,               FAILED,      1,    FAILED,          280",
            "stopped-oom-137.json,              FAILED,      137,  FAILED,          280",
            "stopped-sidecar.json,              SUCCEEDED,   0,    SUCCEEDED,       216",
            "stopped-failed-to-start-pull.json, NOT_STARTED, none, FAILED_TO_START, none",
            "stopped-no-exit-code.json,         NOT_STARTED, none, FAILED_TO_START, none"})
    void complete_whenOurTaskStopped_publishesItsVerdictAndItsMetrics(String file, MigrationResult result, Integer exitCode,
                                                                     MigrationMetric metric, Long duration) {
        StoppedTask task = task(file);
        Run run = run(task);
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(run));
        when(ledger.judge(eq(run), any())).thenReturn(new Recorded());

        Outcome outcome = completer().complete(task);

        ArgumentCaptor<Completion> recorded = ArgumentCaptor.forClass(Completion.class);
        InOrder order = inOrder(ledger, publisher, metrics);
        order.verify(ledger).judge(eq(run), recorded.capture());
        order.verify(ledger).release("app", CORRELATION_ID, task.taskArn());
        order.verify(publisher).publish(recorded.getValue());
        order.verify(ledger).published(CORRELATION_ID);
        Completion verdict = recorded.getValue();
        assertThat(outcome).isEqualTo(new Completed(verdict));
        assertThat(verdict.result()).isEqualTo(result);
        assertThat(verdict.exitCode()).isEqualTo(exitCode);
        assertThat(verdict.container()).isEqualTo("app");
        assertThat(verdict.correlationId()).isEqualTo(CORRELATION_ID);
        assertThat(verdict.taskArn()).isEqualTo(task.taskArn());
        assertThat(verdict.cluster()).isEqualTo(CLUSTER);
        assertThat(verdict.stopCode()).isEqualTo(task.stopCode());
        assertThat(verdict.reason()).isNotBlank();
        Map<MigrationMetric, Number> measures = new HashMap<>();
        measures.put(metric, 1);
        if (duration != null) {
            measures.put(MigrationMetric.DURATION, duration);
        }
        verify(metrics).record(CLUSTER, "app", measures);
        verify(publisher).publish(any());
        verifyNoMoreInteractions(publisher, metrics);
    }

    @Test
    void complete_whenNoContainerIsNamed_asksForTheEssentialContainersAndASidecarNeverDecides() {
        RunnerConfig unnamed = Fixtures.config(Fixtures.with(Fixtures.with(Fixtures.env(), "CONTAINER_NAME", null), "MIGRATION_COMMAND", null));
        StoppedTask task = task("stopped-sidecar.json");
        Run run = run(task);
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(run));
        when(tasks.essentialContainers(APP_42)).thenReturn(List.of("app"));
        when(ledger.judge(eq(run), any())).thenReturn(new Recorded());

        Outcome outcome = completer(unnamed).complete(task);

        assertThat(outcome).isInstanceOf(Completed.class);
        Completion verdict = ((Completed) outcome).completion();
        assertThat(verdict.result()).isEqualTo(MigrationResult.SUCCEEDED);
        assertThat(verdict.container()).isEqualTo("app");
        verify(publisher).publish(verdict);
    }

    @Test
    void complete_whenTheRunNamesItsContainer_usesItOverTheConfiguredOne() {
        StoppedTask task = task("stopped-sidecar.json");
        Run run = new Run(CORRELATION_ID, "STARTED", task.taskArn(), "log-router", APP_42, NOW, null, false, false);
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(run));
        when(ledger.judge(eq(run), any())).thenReturn(new Recorded());

        Completion verdict = ((Completed) completer().complete(task)).completion();

        assertThat(verdict.container()).isEqualTo("log-router");
        assertThat(verdict.result()).isEqualTo(MigrationResult.FAILED);
        assertThat(verdict.exitCode()).isEqualTo(137);
        verifyNoInteractions(tasks);
    }

    @Test
    void complete_whenTheRunHasNoTaskYet_judgesAndReleasesForThisTask() {
        StoppedTask task = task("stopped-exit-1.json");
        Run run = new Run(CORRELATION_ID, "STARTED", null, null, APP_42, NOW, null, false, false);
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(run));
        when(ledger.judge(eq(run), any())).thenReturn(new Recorded());

        assertThat(completer().complete(task)).isInstanceOf(Completed.class);

        verify(ledger).release("app", CORRELATION_ID, task.taskArn());
    }

    @Test
    void complete_whenTheClusterIsConfiguredByArn_stillKnowsTheTaskAsOurs() {
        RunnerConfig byArn = Fixtures.config(Fixtures.with(Fixtures.env(), "CLUSTER", "arn:aws:ecs:us-east-1:123456789012:cluster/migrations"));
        StoppedTask task = task("stopped-succeeded.json");
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(run(task)));
        when(ledger.judge(any(), any())).thenReturn(new Recorded());

        assertThat(completer(byArn).complete(task)).isInstanceOf(Completed.class);
    }

    @Test
    void complete_whenPublishingFails_throwsForARetryAndTheRetryRepublishesTheRecordedVerdict() {
        StoppedTask task = task("stopped-exit-1.json");
        Run run = run(task);
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(run));
        when(ledger.judge(eq(run), any())).thenReturn(new Recorded());
        doThrow(new IllegalStateException("EventBridge throttled")).doNothing().when(publisher).publish(any());

        assertThatThrownBy(() -> completer().complete(task)).hasMessageContaining("EventBridge throttled");

        ArgumentCaptor<Completion> recorded = ArgumentCaptor.forClass(Completion.class);
        verify(ledger).judge(eq(run), recorded.capture());
        verify(ledger, never()).published(any());
        verify(metrics).record(eq(CLUSTER), eq("app"), any());

        // Lambda's retry: the record now holds the verdict, not yet published. The retry finishes what the
        // first attempt left undone: the lock and the event; the metrics were counted once, before.
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(judged(run, recorded.getValue(), false)));
        assertThat(completer().complete(task)).isEqualTo(new Republished(recorded.getValue()));
        verify(ledger).published(CORRELATION_ID);
        verify(ledger).judge(any(), any());
        verify(ledger, times(2)).release("app", CORRELATION_ID, task.taskArn());
        verify(metrics, times(1)).record(eq(CLUSTER), eq("app"), any());
    }

    // ---------------------------------------------------------------------------------------------------------
    // complete(): nothing to do, and nothing written

    @ParameterizedTest
    @ValueSource(strings = {"running.json", "extra-deprovisioning-with-stopcode.json", "extra-spot-interruption-notice.json"})
    void complete_whenTheTaskIsNotStopped_ignoresItAndWritesNothing(String file) {
        Outcome outcome = completer().complete(task(file));

        assertThat(outcome).isInstanceOf(Ignored.class);
        assertThat(((Ignored) outcome).reason()).contains("not STOPPED");
        verifyNoInteractions(ledger, tasks, publisher, metrics);
    }

    @Test
    void complete_whenOtherFamily_ignoresItAndWritesNothing() {
        Outcome outcome = completer().complete(task("other-family-stopped.json"));

        assertThat(outcome).isInstanceOf(Ignored.class);
        assertThat(((Ignored) outcome).reason()).contains("billing");
        verifyNoInteractions(ledger, tasks, publisher, metrics);
    }

    @Test
    void complete_whenAServiceTask_ignoresItAndWritesNothing() {
        Outcome outcome = completer().complete(task("service-task-stopped.json"));

        assertThat(outcome).isInstanceOf(Ignored.class);
        assertThat(((Ignored) outcome).reason()).contains("service:web");
        verifyNoInteractions(ledger, tasks, publisher, metrics);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "none", value = {
            "group,      none",
            "group,      migration:",
            "group,      migration",
            "group,      Migration:app",
            "group,      family:app",
            "group,      migration:apps",
            "clusterArn, arn:aws:ecs:us-east-1:123456789012:cluster/other",
            "clusterArn, arn:aws:ecs:us-east-1:123456789012:cluster/migrations-2",
            "clusterArn, none"})
    void complete_whenAnotherGroupOrCluster_ignoresItAndWritesNothing(String field, String value) {
        Outcome outcome = completer().complete(changed(task("stopped-succeeded.json"), field, value));

        assertThat(outcome).isInstanceOf(Ignored.class);
        verifyNoInteractions(ledger, tasks, publisher, metrics);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "none", value = {"none", "'has a space'", "abcdefghijabcdefghijabcdefghijabcdefg", "gh:1", "'gh-1\n'"})
    void complete_whenStartedByCannotBeACorrelationId_ignoresItWithoutReadingTheLedger(String startedBy) {
        Outcome outcome = completer().complete(changed(task("stopped-succeeded.json"), "startedBy", startedBy));

        assertThat(outcome).isInstanceOf(Ignored.class);
        verifyNoInteractions(ledger, tasks, publisher, metrics);
    }

    @Test
    void complete_whenNoRunRecord_ignoresItAndWritesNothing() {
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.empty());

        Outcome outcome = completer().complete(task("stopped-succeeded.json"));

        assertThat(outcome).isInstanceOf(Ignored.class);
        assertThat(((Ignored) outcome).reason()).contains("no run record");
        verify(ledger).run(CORRELATION_ID);
        verifyNoMoreInteractions(ledger);
        verifyNoInteractions(tasks, publisher, metrics);
    }

    @Test
    void complete_whenTheRunWasRecordedAsLost_ignoresItAndWritesNothing() {
        StoppedTask task = task("stopped-succeeded.json");
        Run lost = new Run(CORRELATION_ID, "STARTED", task.taskArn(), null, APP_42, NOW, null, true, true);
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(lost));

        assertThat(completer().complete(task)).isInstanceOf(Ignored.class);

        verify(ledger).run(CORRELATION_ID);
        verifyNoMoreInteractions(ledger);
        verifyNoInteractions(publisher, metrics);
    }

    @Test
    void complete_whenTheRunWasJudgedAndPublished_ignoresTheRepeatWithNoPublishAndNoRelease() {
        StoppedTask task = task("stopped-succeeded.json");
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(judged(run(task), storedVerdict(task), true)));

        Outcome outcome = completer().complete(task);

        assertThat(outcome).isInstanceOf(Ignored.class);
        assertThat(((Ignored) outcome).reason()).contains("failed").contains("repeated or late");
        verify(ledger).run(CORRELATION_ID);
        verifyNoMoreInteractions(ledger);
        verifyNoInteractions(publisher, metrics, tasks);
    }

    @Test
    void complete_whenTheRunWasJudgedButNotPublished_republishesTheStoredVerdictNotANewOne() {
        StoppedTask task = task("stopped-succeeded.json");
        Completion stored = storedVerdict(task);
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(judged(run(task), stored, false)));

        Outcome outcome = completer().complete(task);

        assertThat(outcome).isEqualTo(new Republished(stored));
        InOrder order = inOrder(publisher, ledger, metrics);
        // The steps an interrupted first attempt left undone, each harmless twice: the lock's release is
        // conditional on this run holding it.
        order.verify(ledger).release("app", CORRELATION_ID, stored.taskArn());
        order.verify(publisher).publish(stored);
        order.verify(ledger).published(CORRELATION_ID);
        verify(publisher).publish(any());
        verify(ledger, never()).judge(any(), any());
        verifyNoMoreInteractions(publisher);
        // The metrics were counted when the verdict was recorded, never again.
        verifyNoInteractions(metrics);
    }

    @Test
    void complete_whenAnotherInvocationJudgedFirstAndPublished_neverPublishesThisVerdict() {
        StoppedTask task = task("stopped-succeeded.json");
        Run run = run(task);
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(run));
        when(ledger.judge(eq(run), any())).thenReturn(new AlreadyJudged(storedVerdict(task), true));

        Outcome outcome = completer().complete(task);

        assertThat(outcome).isInstanceOf(Ignored.class);
        verifyNoInteractions(publisher, metrics);
        verify(ledger, never()).release(any(), any(), any());
        verify(ledger, never()).published(any());
    }

    @Test
    void complete_whenAnotherInvocationJudgedFirstButDidNotPublish_publishesTheStoredVerdictOnly() {
        StoppedTask task = task("stopped-succeeded.json");
        Run run = run(task);
        Completion stored = storedVerdict(task);
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(run));
        when(ledger.judge(eq(run), any())).thenReturn(new AlreadyJudged(stored, false));

        Outcome outcome = completer().complete(task);

        assertThat(outcome).isEqualTo(new Republished(stored));
        ArgumentCaptor<Completion> published = ArgumentCaptor.forClass(Completion.class);
        verify(publisher).publish(published.capture());
        assertThat(published.getAllValues()).containsExactly(stored);
        assertThat(published.getValue().result()).isEqualTo(MigrationResult.FAILED);
        verify(ledger).published(CORRELATION_ID);
        verify(ledger).release("app", CORRELATION_ID, stored.taskArn());
        // The invocation that recorded the verdict counted it.
        verifyNoInteractions(metrics);
    }

    @Test
    void complete_whenTheTaskIsAnOlderAttemptOfTheRun_ignoresItAndNeverReleasesTheLock() {
        StoppedTask task = task("stopped-exit-1.json");
        Run newer = new Run(CORRELATION_ID, "STARTED", OLDER_ATTEMPT.replace("older", "newer"), null, APP_42, NOW, null, false, false);
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(newer));

        Outcome outcome = completer().complete(task);

        assertThat(outcome).isInstanceOf(Ignored.class);
        assertThat(((Ignored) outcome).reason()).contains(newer.taskArn()).contains(task.taskArn());
        verify(ledger).run(CORRELATION_ID);
        verifyNoMoreInteractions(ledger);
        verifyNoInteractions(publisher, metrics);
    }

    @Test
    void complete_whenTheLedgerSaysSuperseded_ignoresItAndNeverReleasesNorPublishes() {
        StoppedTask task = task("stopped-exit-1.json");
        Run run = new Run(CORRELATION_ID, "STARTED", null, null, APP_42, NOW, null, false, false);
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(run));
        when(ledger.judge(eq(run), any())).thenReturn(new Superseded(OLDER_ATTEMPT));

        Outcome outcome = completer().complete(task);

        assertThat(outcome).isInstanceOf(Ignored.class);
        assertThat(((Ignored) outcome).reason()).contains(OLDER_ATTEMPT);
        verify(ledger, never()).release(any(), any(), any());
        verify(ledger, never()).published(any());
        verifyNoInteractions(publisher, metrics);
    }

    @Test
    void complete_whenTheSameEventArrivesTwice_publishesOnce() {
        StoppedTask task = task("stopped-succeeded.json");
        Run run = run(task);
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(run));
        when(ledger.judge(eq(run), any())).thenReturn(new Recorded());
        Completion first = ((Completed) completer().complete(task)).completion();

        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(judged(run, first, true)));
        Outcome second = completer().complete(task);

        assertThat(second).isInstanceOf(Ignored.class);
        verify(publisher).publish(first);
        verify(ledger).release(any(), any(), any());
        verifyNoMoreInteractions(publisher);
    }

    // ---------------------------------------------------------------------------------------------------------
    // sweep()

    private static final String LIVE_TASK = "arn:aws:ecs:us-east-1:123456789012:task/migrations/11111111111111111111111111111111";
    private static final String YOUNG_TASK = "arn:aws:ecs:us-east-1:123456789012:task/migrations/22222222222222222222222222222222";
    private static final String OLD_TASK = "arn:aws:ecs:us-east-1:123456789012:task/migrations/33333333333333333333333333333333";

    private static Run awaiting(String correlationId, String taskArn, Duration age) {
        return new Run(correlationId, "STARTED", taskArn, null, APP_42, NOW.minus(age), null, false, false);
    }

    @Test
    void sweep_whenRunsAreStoppedLiveAndMissing_completesCountsAndLosesEachAsItStands() {
        StoppedTask stopped = task("stopped-succeeded.json");
        Run stoppedRun = awaiting(CORRELATION_ID, stopped.taskArn(), Duration.ofHours(11));
        Run liveRun = awaiting("gh-live", LIVE_TASK, Duration.ofMinutes(30));
        Run youngRun = awaiting("gh-young", YOUNG_TASK, Duration.ofMinutes(5));
        Run oldRun = awaiting("gh-old", OLD_TASK, Duration.ofHours(2));
        StoppedTask live = changed(changed(task("running.json"), "startedAt", NOW.minus(Duration.ofMinutes(25))), "createdAt",
                NOW.minus(Duration.ofMinutes(26)));
        when(ledger.awaiting()).thenReturn(List.of(stoppedRun, liveRun, youngRun, oldRun));
        when(tasks.describe(List.of(stopped.taskArn(), LIVE_TASK, YOUNG_TASK, OLD_TASK))).thenReturn(Map.of(
                stopped.taskArn(), new TaskStates.Stopped(stopped), LIVE_TASK, new TaskStates.Live(live),
                OLD_TASK, new TaskStates.Missing()));
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(stoppedRun));
        when(ledger.judge(eq(stoppedRun), any())).thenReturn(new Recorded());
        when(ledger.lost(eq(oldRun), anyString())).thenReturn(true);

        SweepReport report = completer().sweep();

        assertThat(report).isEqualTo(new SweepReport(4, 1, 2, 1, Duration.ofMinutes(25).toSeconds()));
        verify(publisher).publish(any());
        verify(ledger).release("app", CORRELATION_ID, stopped.taskArn());
        InOrder lose = inOrder(ledger, metrics);
        ArgumentCaptor<String> reason = ArgumentCaptor.forClass(String.class);
        lose.verify(ledger).lost(eq(oldRun), reason.capture());
        lose.verify(ledger).release("app", "gh-old", OLD_TASK);
        lose.verify(metrics).record(CLUSTER, "app", Map.of(MigrationMetric.LOST, 1));
        lose.verify(metrics).record(CLUSTER, null, Map.of(MigrationMetric.OLDEST_RUNNING_AGE, 1500L));
        assertThat(reason.getValue()).contains(OLD_TASK).contains("gh-old").doesNotContain("\n");
        verify(ledger, never()).lost(eq(youngRun), any());
        verify(ledger, never()).lost(eq(liveRun), any());
        verify(ledger, never()).release(any(), eq("gh-live"), any());
        verify(ledger, never()).release(any(), eq("gh-young"), any());
        assertThat(report.toJson()).isEqualTo(
                "{\"outcome\":\"swept\",\"awaiting\":4,\"completed\":1,\"running\":2,\"lost\":1,\"oldest_running_seconds\":1500}");
    }

    @Test
    void sweep_whenAnotherInvocationJudgedTheMissingRunFirst_releasesNothingAndCountsNoLoss() {
        Run oldRun = awaiting("gh-old", OLD_TASK, Duration.ofHours(2));
        when(ledger.awaiting()).thenReturn(List.of(oldRun));
        when(tasks.describe(List.of(OLD_TASK))).thenReturn(Map.of());
        when(ledger.lost(eq(oldRun), anyString())).thenReturn(false);

        SweepReport report = completer().sweep();

        assertThat(report).isEqualTo(new SweepReport(1, 0, 0, 0, 0));
        verify(ledger, never()).release(any(), any(), any());
        verify(metrics).record(CLUSTER, null, Map.of(MigrationMetric.OLDEST_RUNNING_AGE, 0L));
        verifyNoMoreInteractions(metrics);
        verifyNoInteractions(publisher);
    }

    /** The lock grace is 600 s (LOCK_GRACE_SECONDS' default): a missing task is lost only once the run is older. */
    @ParameterizedTest(name = "run {0} s old")
    @CsvSource({"0, false", "1, false", "599, false", "600, false", "601, true", "86400, true"})
    void sweep_whenTheTaskIsMissing_losesTheRunOnlyAfterTheLockGrace(long ageSeconds, boolean lost) {
        Run run = awaiting("gh-missing", OLD_TASK, Duration.ofSeconds(ageSeconds));
        when(ledger.awaiting()).thenReturn(List.of(run));
        when(tasks.describe(List.of(OLD_TASK))).thenReturn(Map.of(OLD_TASK, new TaskStates.Missing()));
        if (lost) {
            when(ledger.lost(eq(run), anyString())).thenReturn(true);
        }

        SweepReport report = completer().sweep();

        if (lost) {
            assertThat(report).isEqualTo(new SweepReport(1, 0, 0, 1, 0));
            verify(ledger).release("app", "gh-missing", OLD_TASK);
            verify(metrics).record(CLUSTER, "app", Map.of(MigrationMetric.LOST, 1));
        } else {
            assertThat(report).isEqualTo(new SweepReport(1, 0, 1, 0, ageSeconds));
            verify(ledger, never()).lost(any(), any());
            verify(ledger, never()).release(any(), any(), any());
            verify(metrics).record(CLUSTER, null, Map.of(MigrationMetric.OLDEST_RUNNING_AGE, ageSeconds));
        }
    }

    @Test
    void sweep_whenSeveralTasksLive_measuresTheOldestFromTheClock() {
        Run a = awaiting("gh-a", LIVE_TASK, Duration.ofHours(3));
        Run b = awaiting("gh-b", YOUNG_TASK, Duration.ofHours(3));
        Run c = awaiting("gh-c", OLD_TASK, Duration.ofHours(3));
        StoppedTask running = task("running.json");
        // a: started 40 min ago; b: never started, created 70 min ago; c: neither known, so the run's own age (3 h) counts.
        StoppedTask startedA = changed(running, "startedAt", NOW.minus(Duration.ofMinutes(40)));
        StoppedTask createdB = changed(changed(running, "startedAt", null), "createdAt", NOW.minus(Duration.ofMinutes(70)));
        StoppedTask unknownC = changed(changed(running, "startedAt", null), "createdAt", null);
        // The oldest comes first, so that only the largest age, not the last one seen, gives the right answer.
        when(ledger.awaiting()).thenReturn(List.of(c, a, b));
        when(tasks.describe(List.of(OLD_TASK, LIVE_TASK, YOUNG_TASK))).thenReturn(Map.of(LIVE_TASK, new TaskStates.Live(startedA),
                YOUNG_TASK, new TaskStates.Live(createdB), OLD_TASK, new TaskStates.Live(unknownC)));

        SweepReport report = completer().sweep();

        assertThat(report).isEqualTo(new SweepReport(3, 0, 3, 0, Duration.ofHours(3).toSeconds()));
        verify(metrics).record(CLUSTER, null, Map.of(MigrationMetric.OLDEST_RUNNING_AGE, 10_800L));
        verify(ledger, never()).lost(any(), any());
        verify(ledger, never()).release(any(), any(), any());
        verifyNoInteractions(publisher);
    }

    @Test
    void sweep_whenOneLiveTaskStartedAt_reportsItsAgeInSeconds() {
        Run run = awaiting("gh-a", LIVE_TASK, Duration.ofHours(1));
        StoppedTask started = changed(task("running.json"), "startedAt", NOW.minusSeconds(1234));
        when(ledger.awaiting()).thenReturn(List.of(run));
        when(tasks.describe(List.of(LIVE_TASK))).thenReturn(Map.of(LIVE_TASK, new TaskStates.Live(started)));

        assertThat(completer().sweep().oldestRunningSeconds()).isEqualTo(1234);
        verify(metrics).record(CLUSTER, null, Map.of(MigrationMetric.OLDEST_RUNNING_AGE, 1234L));
    }

    @Test
    void sweep_whenNothingAwaits_asksEcsNothingAndMeasuresZero() {
        when(ledger.awaiting()).thenReturn(List.of());

        assertThat(completer().sweep()).isEqualTo(new SweepReport(0, 0, 0, 0, 0));

        verifyNoInteractions(tasks, publisher);
        verify(metrics).record(CLUSTER, null, Map.of(MigrationMetric.OLDEST_RUNNING_AGE, 0L));
    }

    @Test
    void sweep_whenAStoppedTaskWasJudgedAlready_countsNoCompletion() {
        StoppedTask stopped = task("stopped-exit-1.json");
        Run run = awaiting(CORRELATION_ID, stopped.taskArn(), Duration.ofHours(1));
        when(ledger.awaiting()).thenReturn(List.of(run));
        when(tasks.describe(List.of(stopped.taskArn()))).thenReturn(Map.of(stopped.taskArn(), new TaskStates.Stopped(stopped)));
        when(ledger.run(CORRELATION_ID)).thenReturn(Optional.of(judged(run, storedVerdict(stopped), true)));

        assertThat(completer().sweep()).isEqualTo(new SweepReport(1, 0, 0, 0, 0));

        verifyNoInteractions(publisher);
        verify(ledger, never()).release(any(), any(), any());
    }

    /** A verdict whose event a failed publish left unsent stays on the awaiting index; the sweep sends it. */
    @Test
    void sweep_whenARunWasJudgedButNotPublished_publishesItWithoutAskingEcs() {
        StoppedTask task = task("stopped-exit-1.json");
        Completion stored = storedVerdict(task);
        when(ledger.awaiting()).thenReturn(List.of(judged(run(task), stored, false)));

        SweepReport report = completer().sweep();

        assertThat(report.completed()).isEqualTo(1);
        verify(publisher).publish(stored);
        verify(ledger).published(CORRELATION_ID);
        verifyNoInteractions(tasks);
        verify(metrics).record(CLUSTER, null, Map.of(MigrationMetric.OLDEST_RUNNING_AGE, 0L));
        verifyNoMoreInteractions(metrics);
    }

    /** One run that cannot be finished now does not keep the others, or the age metric, from the sweep. */
    @Test
    void sweep_whenOneRunFails_finishesTheOthers_measures_andThenThrowsNamingIt() {
        StoppedTask task = task("stopped-exit-1.json");
        Completion stored = storedVerdict(task);
        Run first = judged(new Run("gh-1", "STARTED", task.taskArn(), null, APP_42, NOW, null, false, false), stored, false);
        Run second = judged(run(task), stored, false);
        when(ledger.awaiting()).thenReturn(List.of(first, second));
        doThrow(new IllegalStateException("EventBridge throttled")).doNothing().when(publisher).publish(any());

        assertThatThrownBy(() -> completer().sweep()).hasMessageContaining("run gh-1").hasMessageContaining("EventBridge throttled");

        verify(publisher, times(2)).publish(stored);
        verify(ledger).published(CORRELATION_ID);
        verify(ledger, never()).published("gh-1");
        verify(metrics).record(CLUSTER, null, Map.of(MigrationMetric.OLDEST_RUNNING_AGE, 0L));
    }

}
