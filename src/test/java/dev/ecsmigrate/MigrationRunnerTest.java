package dev.ecsmigrate;

import dev.ecsmigrate.MigrationStatus.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.ArgumentCaptor;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

import java.util.List;

import static dev.ecsmigrate.Fixtures.TASK_DEFINITION;
import static dev.ecsmigrate.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

@ExtendWith(MockitoExtension.class)
class MigrationRunnerTest {

    private static final String TASK = "arn:aws:ecs:us-east-1:123456789012:task/migrations/abc";

    @Mock
    private MigrationTasks tasks;

    private final RunnerConfig config = Fixtures.config();

    private MigrationRunner runner() {
        return new MigrationRunner(config, Fixtures.validator(config), tasks);
    }

    @Test
    void run_whenValid_startsOneTask() {
        when(tasks.activeMigrations("app")).thenReturn(List.of());
        when(tasks.start(any(), any())).thenReturn(TASK);

        MigrationStatus status = runner().run(event("migration-with-correlation-id.json"));

        ArgumentCaptor<MigrationRequest> request = ArgumentCaptor.forClass(MigrationRequest.class);
        verify(tasks).start(request.capture(), any());
        assertThat(request.getValue().correlationId()).isEqualTo("gh-7301122334-1");
        assertThat(status).isEqualTo(new MigrationStatus(Outcome.STARTED, "started " + TASK_DEFINITION + " on cluster migrations",
                "gh-7301122334-1", "0d4c5b8e-2f55-4d0b-9a0e-7c1f7f2e9b11", "migrations", TASK_DEFINITION, TASK, "gh-7301122334-1", "app"));
    }

    @Test
    void run_whenAnotherMigrationRuns_startsNothing() {
        when(tasks.activeMigrations("app")).thenReturn(List.of(new MigrationTasks.ActiveTask(TASK, "gh-other", "RUNNING")));

        MigrationStatus status = runner().run(event("migration-with-correlation-id.json"));

        verify(tasks, never()).start(any(), any());
        assertThat(status.status()).isEqualTo(Outcome.ALREADY_RUNNING);
        assertThat(status.taskArn()).isEqualTo(TASK);
        assertThat(status.startedBy()).isEqualTo("gh-other");
        assertThat(status.correlationId()).isEqualTo("gh-7301122334-1");
        assertThat(status.reason()).contains("another migration of family app is RUNNING (correlation id gh-other)");
    }

    @Test
    void run_whenOwnTaskAlreadyRuns_saysItIsARepeatedDelivery() {
        when(tasks.activeMigrations("app")).thenReturn(List.of(new MigrationTasks.ActiveTask(TASK, "gh-7301122334-1", "PENDING")));

        MigrationStatus status = runner().run(event("migration-with-correlation-id.json"));

        assertThat(status.status()).isEqualTo(Outcome.ALREADY_RUNNING);
        assertThat(status.reason()).contains("this run's own task (correlation id gh-7301122334-1) is already PENDING");
    }

    @Test
    void run_whenDryRun_reportsWithoutListingOrStarting() {
        MigrationStatus status = runner().run(event("dry-run.json"));

        verifyNoInteractions(tasks);
        assertThat(status.status()).isEqualTo(Outcome.DRY_RUN);
        assertThat(status.taskArn()).isNull();
        assertThat(status.reason()).isEqualTo("dry run: would start " + TASK_DEFINITION + " on cluster migrations with launch type FARGATE,"
                + " subnets subnet-0123456789abcdef0, subnet-0fedcba9876543210, security groups sg-0123456789abcdef0, public IP DISABLED,"
                + " running command alembic upgrade head in container app; nothing was started");
    }

    @Test
    void run_whenRejected_touchesNoAwsApi() {
        MigrationStatus status = runner().run(event("rejected-unknown-field.json"));

        verifyNoInteractions(tasks);
        assertThat(status.status()).isEqualTo(Outcome.REJECTED);
        assertThat(status.correlationId()).isEqualTo("gh-typo");
        assertThat(status.startedBy()).isNull();
        assertThat(status.reason()).contains("'dryrun'");
    }

    @Test
    void run_whenEcsRefuses_reportsFailed() {
        when(tasks.activeMigrations("app")).thenReturn(List.of());
        when(tasks.start(any(), any())).thenThrow(new TaskRefusedException("ECS RunTask failed for x: MISSING"));

        MigrationStatus status = runner().run(event("migration.json"));

        assertThat(status.status()).isEqualTo(Outcome.FAILED);
        assertThat(status.reason()).isEqualTo("ECS RunTask failed for x: MISSING");
        assertThat(status.correlationId()).isEqualTo("6a7e8feb-b491-4cf7-a9f1-bf3703467718");
    }

    @Test
    void run_whenTransient_throwsForLambdaToRetry() {
        when(tasks.activeMigrations("app")).thenReturn(List.of());
        when(tasks.start(any(), any())).thenThrow(new TransientEcsException("RESOURCE:CPU"));

        assertThatThrownBy(() -> runner().run(event("migration.json"))).isInstanceOf(TransientEcsException.class);
    }

    @Test
    void run_whenServiceMissing_rejectsAsConfiguration() {
        RunnerConfig fromService = RunnerConfig.fromEnvironment(Fixtures.with(Fixtures.env(), "NETWORK_FROM_SERVICE", "web"));
        when(tasks.serviceSettings("web")).thenThrow(new InvalidConfigurationException("NETWORK_FROM_SERVICE names service 'web' ..."));

        MigrationStatus status = new MigrationRunner(fromService, Fixtures.validator(fromService), tasks).run(event("migration.json"));

        assertThat(status.status()).isEqualTo(Outcome.REJECTED);
        assertThat(status.reason()).contains("NETWORK_FROM_SERVICE names service 'web'");
        verify(tasks, never()).start(any(), any());
    }

    @Test
    void run_whenConfigurationInvalid_rejectsEveryEventWithTheProblem() {
        InvalidConfigurationException problem = new InvalidConfigurationException(List.of("CLUSTER is not set"));
        MigrationRunner broken = new MigrationRunner(problem, new EventValidator(null, null, java.util.Set.of()));

        MigrationStatus status = broken.run(event("migration-with-correlation-id.json"));

        assertThat(status.status()).isEqualTo(Outcome.REJECTED);
        assertThat(status.reason()).isEqualTo("invalid configuration: CLUSTER is not set");
        assertThat(status.correlationId()).isEqualTo("gh-7301122334-1");
        assertThat(status.eventId()).isEqualTo("0d4c5b8e-2f55-4d0b-9a0e-7c1f7f2e9b11");
    }
}
