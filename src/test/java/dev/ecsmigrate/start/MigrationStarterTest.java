package dev.ecsmigrate.start;

import dev.ecsmigrate.aws.TransientEcsException;
import dev.ecsmigrate.config.BrokenConfiguration;
import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.contract.MigrationStatus.Outcome;
import dev.ecsmigrate.start.MigrationLock.Claimant;
import dev.ecsmigrate.start.MigrationLock.Holder;
import dev.ecsmigrate.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.ArgumentCaptor;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static dev.ecsmigrate.testing.Fixtures.TASK_DEFINITION;
import static dev.ecsmigrate.testing.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

@ExtendWith(MockitoExtension.class)
class MigrationStarterTest {

    private static final String TASK = "arn:aws:ecs:us-east-1:123456789012:task/migrations/abc";
    private static final String OTHER_TASK = "arn:aws:ecs:us-east-1:123456789012:task/migrations/other";
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final Claimant ME = new Claimant("gh-7301122334-1", "0d4c5b8e-2f55-4d0b-9a0e-7c1f7f2e9b11", "migrations", "app");

    @Mock
    private MigrationTasks tasks;
    @Mock
    private MigrationLock lock;
    @Mock
    private RunRecords records;

    private final RunnerConfig config = Fixtures.config();

    private MigrationStarter starter() {
        return starter(config);
    }

    private MigrationStarter starter(RunnerConfig config) {
        return new MigrationStarter(config, Fixtures.validator(config), tasks, lock, records, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** Decides and commits, as the handler does. */
    private MigrationStatus start(MigrationStarter starter, String event) {
        Decision decision = starter.start(event(event));
        decision.commit().run();
        return decision.status();
    }

    private static Holder other(String taskArn, Instant takenAt) {
        return new Holder("gh-other", "evt-other", taskArn, takenAt);
    }

    @Test
    void start_whenTheLockIsFree_startsOneTaskAndRecordsItWithTheLock() {
        when(lock.claim(ME)).thenReturn(new MigrationLock.Taken());
        when(tasks.start(any(), any())).thenReturn(new MigrationTasks.Started(TASK));

        MigrationStatus status = start(starter(), "migration-with-correlation-id.json");

        ArgumentCaptor<MigrationRequest> request = ArgumentCaptor.forClass(MigrationRequest.class);
        verify(tasks).start(request.capture(), any());
        assertThat(request.getValue().correlationId()).isEqualTo("gh-7301122334-1");
        assertThat(status).isEqualTo(new MigrationStatus(Outcome.STARTED, "started " + TASK_DEFINITION + " on cluster migrations",
                "gh-7301122334-1", "0d4c5b8e-2f55-4d0b-9a0e-7c1f7f2e9b11", "migrations", TASK_DEFINITION, TASK, "gh-7301122334-1", "app"));
        verify(lock).started(ME, TASK, status);
        verifyNoInteractions(records);
    }

    @Test
    void start_whenAnotherRunHoldsTheLockAndItsTaskRuns_startsNothing() {
        when(lock.claim(ME)).thenReturn(new MigrationLock.Held(other(OTHER_TASK, NOW.minusSeconds(5))));
        when(tasks.taskState(OTHER_TASK)).thenReturn(new MigrationTasks.Live("RUNNING"));

        MigrationStatus status = start(starter(), "migration-with-correlation-id.json");

        verify(tasks, never()).start(any(), any());
        verify(lock, never()).takeOver(any(), any());
        assertThat(status.status()).isEqualTo(Outcome.ALREADY_RUNNING);
        assertThat(status.taskArn()).isEqualTo(OTHER_TASK);
        assertThat(status.startedBy()).isEqualTo("gh-other");
        assertThat(status.correlationId()).isEqualTo("gh-7301122334-1");
        assertThat(status.reason()).contains("another migration of family app holds the lock (correlation id gh-other");
        verify(records).record(status);
    }

    /** ECS is eventually consistent: a task it does not know yet, within the grace, still holds the lock. */
    @Test
    void start_whenTheHoldersTaskIsUnknownToEcsWithinTheGrace_startsNothing() {
        when(lock.claim(ME)).thenReturn(new MigrationLock.Held(other(OTHER_TASK, NOW.minusSeconds(30))));
        when(tasks.taskState(OTHER_TASK)).thenReturn(new MigrationTasks.Unknown());

        assertThat(start(starter(), "migration-with-correlation-id.json").status()).isEqualTo(Outcome.ALREADY_RUNNING);
        verify(tasks, never()).start(any(), any());
    }

    @Test
    void start_whenTheHolderStartedNoTaskWithinTheGrace_startsNothing() {
        when(lock.claim(ME)).thenReturn(new MigrationLock.Held(other(null, NOW.minusSeconds(599))));

        MigrationStatus status = start(starter(), "migration-with-correlation-id.json");

        assertThat(status.status()).isEqualTo(Outcome.ALREADY_RUNNING);
        assertThat(status.reason()).contains("its task is starting");
        verifyNoInteractions(tasks);
    }

    @Test
    void start_whenTheHoldersTaskHasStopped_takesOverAtOnce() {
        Holder stale = other(OTHER_TASK, NOW.minusSeconds(5));
        when(lock.claim(ME)).thenReturn(new MigrationLock.Held(stale));
        when(tasks.taskState(OTHER_TASK)).thenReturn(new MigrationTasks.Stopped());
        when(lock.takeOver(ME, stale)).thenReturn(new MigrationLock.Taken());
        when(tasks.start(any(), any())).thenReturn(new MigrationTasks.Started(TASK));

        MigrationStatus status = start(starter(), "migration-with-correlation-id.json");

        assertThat(status.status()).isEqualTo(Outcome.STARTED);
        assertThat(status.reason()).endsWith("; took over the lock of run gh-other (its task " + OTHER_TASK + " has stopped)");
        verify(lock).started(ME, TASK, status);
    }

    @Test
    void start_whenTheHolderStartedNoTaskAfterTheGrace_takesOver() {
        Holder stale = other(null, NOW.minusSeconds(601));
        when(lock.claim(ME)).thenReturn(new MigrationLock.Held(stale));
        when(lock.takeOver(ME, stale)).thenReturn(new MigrationLock.Taken());
        when(tasks.start(any(), any())).thenReturn(new MigrationTasks.Started(TASK));

        assertThat(start(starter(), "migration-with-correlation-id.json").reason()).contains("it started no task within 600 s");
    }

    @Test
    void start_whenEcsHasNotKnownTheHoldersTaskForLongerThanTheGrace_takesOver() {
        Holder stale = other(OTHER_TASK, NOW.minusSeconds(3600));
        when(lock.claim(ME)).thenReturn(new MigrationLock.Held(stale));
        when(tasks.taskState(OTHER_TASK)).thenReturn(new MigrationTasks.Unknown());
        when(lock.takeOver(ME, stale)).thenReturn(new MigrationLock.Taken());
        when(tasks.start(any(), any())).thenReturn(new MigrationTasks.Started(TASK));

        assertThat(start(starter(), "migration-with-correlation-id.json").status()).isEqualTo(Outcome.STARTED);
    }

    /** Two runs race to take over the same stale lock; the one whose conditional write loses sees the winner. */
    @Test
    void start_whenAnotherRunTakesOverFirst_startsNothing() {
        Holder stale = other(OTHER_TASK, NOW.minusSeconds(5));
        Holder winner = new Holder("gh-winner", "evt-w", null, NOW);
        when(lock.claim(ME)).thenReturn(new MigrationLock.Held(stale));
        when(tasks.taskState(OTHER_TASK)).thenReturn(new MigrationTasks.Stopped());
        when(lock.takeOver(ME, stale)).thenReturn(new MigrationLock.Held(winner));

        MigrationStatus status = start(starter(), "migration-with-correlation-id.json");

        assertThat(status.status()).isEqualTo(Outcome.ALREADY_RUNNING);
        assertThat(status.startedBy()).isEqualTo("gh-winner");
        verify(tasks, never()).start(any(), any());
    }

    @Test
    void start_whenThisRunHasItsTaskAlready_isARepeatedDelivery() {
        when(lock.claim(ME)).thenReturn(new MigrationLock.AlreadyStarted(TASK));

        MigrationStatus status = start(starter(), "migration-with-correlation-id.json");

        assertThat(status.status()).isEqualTo(Outcome.ALREADY_RUNNING);
        assertThat(status.taskArn()).isEqualTo(TASK);
        assertThat(status.startedBy()).isEqualTo("gh-7301122334-1");
        assertThat(status.reason()).contains("this run (correlation id gh-7301122334-1) has its task already, so this is a repeated delivery");
        verify(tasks, never()).start(any(), any());
        verify(records).record(status);
    }

    @Test
    void start_whenDryRun_reportsWithoutLockingOrStarting() {
        MigrationStatus status = start(starter(), "dry-run.json");

        verifyNoInteractions(tasks, lock);
        assertThat(status.status()).isEqualTo(Outcome.DRY_RUN);
        assertThat(status.taskArn()).isNull();
        assertThat(status.reason()).isEqualTo("dry run: would start " + TASK_DEFINITION + " on cluster migrations with launch type FARGATE,"
                + " subnets subnet-0123456789abcdef0, subnet-0fedcba9876543210, security groups sg-0123456789abcdef0, public IP DISABLED,"
                + " running command alembic upgrade head in container app; nothing was started");
        verify(records).record(status);
    }

    @Test
    void start_whenRejected_touchesNoAwsApiButTheRecord() {
        MigrationStatus status = start(starter(), "rejected-unknown-field.json");

        verifyNoInteractions(tasks, lock);
        assertThat(status.status()).isEqualTo(Outcome.REJECTED);
        assertThat(status.correlationId()).isEqualTo("gh-typo");
        assertThat(status.startedBy()).isNull();
        assertThat(status.reason()).contains("'dryrun'");
        verify(records).record(status);
    }

    @Test
    void start_whenTheEnvelopeIsNotATriggerEvent_recordsNothing() {
        MigrationStatus status = start(starter(), "status-started.json");

        assertThat(status.status()).isEqualTo(Outcome.REJECTED);
        verifyNoInteractions(tasks, lock, records);
    }

    @Test
    void start_whenEcsRefuses_givesTheLockBackAndReportsFailed() {
        when(lock.claim(new Claimant("6a7e8feb-b491-4cf7-a9f1-bf3703467718", "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "migrations", "app")))
                .thenReturn(new MigrationLock.Taken());
        when(tasks.start(any(), any())).thenReturn(new MigrationTasks.Refused("ECS RunTask failed for x: MISSING"));

        MigrationStatus status = start(starter(), "migration.json");

        assertThat(status.status()).isEqualTo(Outcome.FAILED);
        assertThat(status.reason()).isEqualTo("ECS RunTask failed for x: MISSING");
        assertThat(status.correlationId()).isEqualTo("6a7e8feb-b491-4cf7-a9f1-bf3703467718");
        verify(lock).refused(any(), eq(status));
    }

    @Test
    void start_whenTransient_throwsForLambdaToRetry_keepingTheLockForTheRetry() {
        when(lock.claim(any())).thenReturn(new MigrationLock.Taken());
        when(tasks.start(any(), any())).thenThrow(new TransientEcsException("RESOURCE:CPU"));

        assertThatThrownBy(() -> starter().start(event("migration.json"))).isInstanceOf(TransientEcsException.class);
        verify(lock, never()).refused(any(), any());
    }

    @Test
    void start_whenServiceMissing_rejectsAsConfiguration() {
        RunnerConfig fromService = Fixtures.config(Fixtures.with(Fixtures.env(), "NETWORK_FROM_SERVICE", "web"));
        when(tasks.serviceSettings("web")).thenReturn(new MigrationTasks.Missing("NETWORK_FROM_SERVICE names service 'web' ..."));

        MigrationStatus status = start(starter(fromService), "migration.json");

        assertThat(status.status()).isEqualTo(Outcome.REJECTED);
        assertThat(status.reason()).isEqualTo("invalid configuration: NETWORK_FROM_SERVICE names service 'web' ...");
        verify(tasks, never()).start(any(), any());
        verifyNoInteractions(lock);
    }

    @Test
    void start_whenServiceHasNoNetworkToCopy_asksForSubnets() {
        RunnerConfig fromService = Fixtures.config(Fixtures.with(Fixtures.with(Fixtures.env(), "SUBNETS", null), "NETWORK_FROM_SERVICE", "web"));
        when(tasks.serviceSettings("web")).thenReturn(new MigrationTasks.Found(new LaunchSettings("EC2", List.of(), null, List.of(), List.of(), null)));

        MigrationStatus status = start(starter(fromService), "migration.json");

        assertThat(status.status()).isEqualTo(Outcome.REJECTED);
        assertThat(status.reason()).contains("the service 'web' has no awsvpc network configuration to copy: set SUBNETS");
        verify(tasks, never()).start(any(), any());
    }

    @Test
    void misconfigured_rejectsEveryEventWithTheProblem_andRecordsIt() {
        BrokenConfiguration broken = Fixtures.broken(Fixtures.with(Fixtures.env(), "CLUSTER", null));

        Decision decision = new Misconfigured(broken, records).start(event("migration-with-correlation-id.json"));
        decision.commit().run();
        MigrationStatus status = decision.status();

        assertThat(status.status()).isEqualTo(Outcome.REJECTED);
        assertThat(status.reason()).isEqualTo("invalid configuration: CLUSTER is not set: name the ECS cluster that runs migrations");
        assertThat(status.correlationId()).isEqualTo("gh-7301122334-1");
        assertThat(status.eventId()).isEqualTo("0d4c5b8e-2f55-4d0b-9a0e-7c1f7f2e9b11");
        verify(records).record(status);
    }
}
