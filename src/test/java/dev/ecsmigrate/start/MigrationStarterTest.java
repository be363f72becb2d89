package dev.ecsmigrate.start;

import dev.ecsmigrate.aws.TransientEcsException;
import dev.ecsmigrate.config.BrokenConfiguration;
import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.contract.MigrationStatus.Outcome;
import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.ArgumentCaptor;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

import java.util.List;

import static dev.ecsmigrate.testing.Fixtures.TASK_DEFINITION;
import static dev.ecsmigrate.testing.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

@ExtendWith(MockitoExtension.class)
class MigrationStarterTest {

    private static final String TASK = "arn:aws:ecs:us-east-1:123456789012:task/migrations/abc";

    @Mock
    private MigrationTasks tasks;

    private final RunnerConfig config = Fixtures.config();

    private MigrationStarter starter() {
        return new MigrationStarter(config, Fixtures.validator(config), tasks);
    }

    private static MigrationTasks.Active none() {
        return new MigrationTasks.Active(List.of());
    }

    @Test
    void start_whenValid_startsOneTask() {
        when(tasks.activeMigrations("app")).thenReturn(none());
        when(tasks.start(any(), any())).thenReturn(new MigrationTasks.Started(TASK));

        MigrationStatus status = starter().start(event("migration-with-correlation-id.json"));

        ArgumentCaptor<MigrationRequest> request = ArgumentCaptor.forClass(MigrationRequest.class);
        verify(tasks).start(request.capture(), any());
        assertThat(request.getValue().correlationId()).isEqualTo("gh-7301122334-1");
        assertThat(status).isEqualTo(new MigrationStatus(Outcome.STARTED, "started " + TASK_DEFINITION + " on cluster migrations",
                "gh-7301122334-1", "0d4c5b8e-2f55-4d0b-9a0e-7c1f7f2e9b11", "migrations", TASK_DEFINITION, TASK, "gh-7301122334-1", "app"));
    }

    @Test
    void start_whenAnotherMigrationRuns_startsNothing() {
        when(tasks.activeMigrations("app")).thenReturn(new MigrationTasks.Active(List.of(new MigrationTasks.ActiveTask(TASK, "gh-other", "RUNNING"))));

        MigrationStatus status = starter().start(event("migration-with-correlation-id.json"));

        verify(tasks, never()).start(any(), any());
        assertThat(status.status()).isEqualTo(Outcome.ALREADY_RUNNING);
        assertThat(status.taskArn()).isEqualTo(TASK);
        assertThat(status.startedBy()).isEqualTo("gh-other");
        assertThat(status.correlationId()).isEqualTo("gh-7301122334-1");
        assertThat(status.reason()).contains("another migration of family app is RUNNING (correlation id gh-other)");
    }

    @Test
    void start_whenOwnTaskAlreadyRuns_saysItIsARepeatedDelivery() {
        when(tasks.activeMigrations("app")).thenReturn(new MigrationTasks.Active(List.of(new MigrationTasks.ActiveTask(TASK, "gh-7301122334-1", "PENDING"))));

        MigrationStatus status = starter().start(event("migration-with-correlation-id.json"));

        assertThat(status.status()).isEqualTo(Outcome.ALREADY_RUNNING);
        assertThat(status.reason()).contains("this run's own task (correlation id gh-7301122334-1) is already PENDING");
    }

    @Test
    void start_whenDryRun_reportsWithoutListingOrStarting() {
        MigrationStatus status = starter().start(event("dry-run.json"));

        verifyNoInteractions(tasks);
        assertThat(status.status()).isEqualTo(Outcome.DRY_RUN);
        assertThat(status.taskArn()).isNull();
        assertThat(status.reason()).isEqualTo("dry run: would start " + TASK_DEFINITION + " on cluster migrations with launch type FARGATE,"
                + " subnets subnet-0123456789abcdef0, subnet-0fedcba9876543210, security groups sg-0123456789abcdef0, public IP DISABLED,"
                + " running command alembic upgrade head in container app; nothing was started");
    }

    @Test
    void start_whenRejected_touchesNoAwsApi() {
        MigrationStatus status = starter().start(event("rejected-unknown-field.json"));

        verifyNoInteractions(tasks);
        assertThat(status.status()).isEqualTo(Outcome.REJECTED);
        assertThat(status.correlationId()).isEqualTo("gh-typo");
        assertThat(status.startedBy()).isNull();
        assertThat(status.reason()).contains("'dryrun'");
    }

    @Test
    void start_whenEcsRefuses_reportsFailed() {
        when(tasks.activeMigrations("app")).thenReturn(none());
        when(tasks.start(any(), any())).thenReturn(new MigrationTasks.Refused("ECS RunTask failed for x: MISSING"));

        MigrationStatus status = starter().start(event("migration.json"));

        assertThat(status.status()).isEqualTo(Outcome.FAILED);
        assertThat(status.reason()).isEqualTo("ECS RunTask failed for x: MISSING");
        assertThat(status.correlationId()).isEqualTo("6a7e8feb-b491-4cf7-a9f1-bf3703467718");
    }

    @Test
    void start_whenListingIsRefused_reportsFailedAndStartsNothing() {
        when(tasks.activeMigrations("app")).thenReturn(new MigrationTasks.Refused("ECS ListTasks refused: AccessDeniedException: no"));

        MigrationStatus status = starter().start(event("migration.json"));

        assertThat(status.status()).isEqualTo(Outcome.FAILED);
        assertThat(status.reason()).startsWith("ECS ListTasks refused");
        verify(tasks, never()).start(any(), any());
    }

    @Test
    void start_whenTransient_throwsForLambdaToRetry() {
        when(tasks.activeMigrations("app")).thenReturn(none());
        when(tasks.start(any(), any())).thenThrow(new TransientEcsException("RESOURCE:CPU"));

        assertThatThrownBy(() -> starter().start(event("migration.json"))).isInstanceOf(TransientEcsException.class);
    }

    @Test
    void start_whenServiceMissing_rejectsAsConfiguration() {
        RunnerConfig fromService = Fixtures.config(Fixtures.with(Fixtures.env(), "NETWORK_FROM_SERVICE", "web"));
        when(tasks.serviceSettings("web")).thenReturn(new MigrationTasks.Missing("NETWORK_FROM_SERVICE names service 'web' ..."));

        MigrationStatus status = new MigrationStarter(fromService, Fixtures.validator(fromService), tasks).start(event("migration.json"));

        assertThat(status.status()).isEqualTo(Outcome.REJECTED);
        assertThat(status.reason()).isEqualTo("invalid configuration: NETWORK_FROM_SERVICE names service 'web' ...");
        verify(tasks, never()).start(any(), any());
    }

    @Test
    void start_whenServiceHasNoNetworkToCopy_asksForSubnets() {
        RunnerConfig fromService = Fixtures.config(Fixtures.with(Fixtures.with(Fixtures.env(), "SUBNETS", null), "NETWORK_FROM_SERVICE", "web"));
        when(tasks.serviceSettings("web")).thenReturn(new MigrationTasks.Found(new LaunchSettings("EC2", List.of(), null, List.of(), List.of(), null)));

        MigrationStatus status = new MigrationStarter(fromService, Fixtures.validator(fromService), tasks).start(event("migration.json"));

        assertThat(status.status()).isEqualTo(Outcome.REJECTED);
        assertThat(status.reason()).contains("the service 'web' has no awsvpc network configuration to copy: set SUBNETS");
        verify(tasks, never()).start(any(), any());
    }

    @Test
    void misconfigured_rejectsEveryEventWithTheProblem() {
        BrokenConfiguration broken = Fixtures.broken(Fixtures.with(Fixtures.env(), "CLUSTER", null));

        MigrationStatus status = new Misconfigured(broken).start(event("migration-with-correlation-id.json"));

        assertThat(status.status()).isEqualTo(Outcome.REJECTED);
        assertThat(status.reason()).isEqualTo("invalid configuration: CLUSTER is not set: name the ECS cluster that runs migrations");
        assertThat(status.correlationId()).isEqualTo("gh-7301122334-1");
        assertThat(status.eventId()).isEqualTo("0d4c5b8e-2f55-4d0b-9a0e-7c1f7f2e9b11");
    }
}
