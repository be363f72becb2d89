package dev.ecsmigrate.hook;

import dev.ecsmigrate.complete.Completer;
import dev.ecsmigrate.complete.RunLedger;
import dev.ecsmigrate.complete.TaskStates;
import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.contract.Completion;
import dev.ecsmigrate.contract.Contract;
import dev.ecsmigrate.contract.MigrationResult;
import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.contract.TaskDefinitionArn;
import dev.ecsmigrate.json.Json;
import dev.ecsmigrate.start.Decision;
import dev.ecsmigrate.start.EventValidator;
import dev.ecsmigrate.start.MigrationRequest;
import dev.ecsmigrate.start.MigrationStarter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The migration as an ECS deployment lifecycle hook at {@code PRE_SCALE_UP} (CONTRACT.md section 6): the first
 * call starts the target revision's migration, later calls answer {@code IN_PROGRESS} while it runs, then
 * {@code SUCCEEDED} or {@code FAILED} from the verdict, so that ECS rolls a failed migration's deployment back
 * before any new task serves traffic.
 *
 * <p>Each deployment is one run, named by a correlation id derived from the deployment's id: however often ECS
 * calls, the lock and the run record make it one task. The run's record, not the call, carries the state, so
 * nothing depends on ECS passing {@code hookDetails} back.
 */
public final class DeploymentHook {

    /** The stage the hook runs at: before the new revision starts, while the old one serves all traffic. */
    public static final String STAGE = "PRE_SCALE_UP";

    private static final String PREFIX = "ecs-deploy-";

    private final RunnerConfig config;
    private final EventValidator owner;
    private final MigrationStarter starter;
    private final Consumer<Decision> report;
    private final ServiceRevisions revisions;
    private final RunLedger ledger;
    private final TaskStates tasks;
    private final Completer completer;
    private final Clock clock;

    /**
     * @param report makes a start decision known as the trigger does: logged, committed, published, counted
     */
    public DeploymentHook(RunnerConfig config, EventValidator owner, MigrationStarter starter, Consumer<Decision> report,
                          ServiceRevisions revisions, RunLedger ledger, TaskStates tasks, Completer completer, Clock clock) {
        this.config = config;
        this.owner = owner;
        this.starter = starter;
        this.report = report;
        this.revisions = revisions;
        this.ledger = ledger;
        this.tasks = tasks;
        this.completer = completer;
        this.clock = clock;
    }

    public HookAnswer answer(HookCall call) {
        return switch (call) {
            case HookCall.Unreadable unreadable -> HookAnswer.failed(unreadable.reason(), null, null);
            case HookCall.Invocation invocation -> answer(invocation).since(firstCall(invocation));
        };
    }

    /**
     * The answer when AWS failed this call with throttling, a 5xx or a timeout: a function error would make ECS roll
     * the deployment back at once, so ECS is asked to call again, until the hook's time is up.
     */
    public HookAnswer troubled(HookCall call, RuntimeException trouble) {
        if (!(call instanceof HookCall.Invocation invocation)) {
            return HookAnswer.failed("AWS trouble on a call that is not a lifecycle hook's: " + trouble.getMessage(), null, null);
        }
        Instant first = firstCall(invocation);
        String correlationId = correlationId(invocation.deploymentArn());
        Duration waited = Duration.between(first, clock.instant());
        if (waited.compareTo(config.table().hookTimeout()) >= 0) {
            return HookAnswer.failed("gave up after " + waited.toSeconds() + " s (HOOK_TIMEOUT_SECONDS) of AWS trouble: "
                    + trouble.getMessage(), correlationId, null).since(first);
        }
        return HookAnswer.inProgress("AWS trouble, asking ECS to call again: " + trouble.getMessage(), correlationId, null)
                .since(first).waitingFor(Json.text(invocation.hookDetails().get(HookAnswer.WAITING_FOR)));
    }

    /** When ECS first called the hook for this deployment, as an earlier answer told it; else now. */
    private Instant firstCall(HookCall.Invocation call) {
        String first = Json.text(call.hookDetails().get(HookAnswer.FIRST_CALLED_AT));
        try {
            Instant then = first == null ? null : Instant.parse(first);
            return then == null || then.isAfter(clock.instant()) ? clock.instant() : then;
        } catch (java.time.format.DateTimeParseException e) {
            return clock.instant();
        }
    }

    private HookAnswer answer(HookCall.Invocation call) {
        String correlationId = correlationId(call.deploymentArn());
        if (!STAGE.equals(call.stage())) {
            return HookAnswer.failed("this hook runs migrations at " + STAGE + " only, before any task of the new revision starts; it was"
                    + " called at " + call.stage() + ": move it to lifecycleStages [\"" + STAGE + "\"]", correlationId, null);
        }
        Optional<RunLedger.Run> found = ledger.run(correlationId);
        if (found.isPresent()) {
            RunLedger.Run run = found.get();
            if (run.verdict() != null) {
                return fromVerdict(run.verdict());
            }
            if (run.lost()) {
                return HookAnswer.failed("the migration's task is gone from ECS and its outcome is unknown; its run record "
                        + correlationId + " says so", correlationId, run.taskArn());
            }
            if (run.taskArn() != null) {
                return follow(run);
            }
        }
        Instant since = found.map(RunLedger.Run::createdAt).orElse(null);
        Instant first = firstCall(call);
        return begin(call, correlationId, since == null || first.isBefore(since) ? first : since);
    }

    /** The first call, or a call while another run holds the family's lock: start the migration if it may. */
    private HookAnswer begin(HookCall.Invocation call, String correlationId, Instant since) {
        ServiceRevisions.Revision revision;
        switch (revisions.revision(call.targetRevisionArn())) {
            case ServiceRevisions.Found found -> revision = found.revision();
            case ServiceRevisions.Missing missing -> {
                return HookAnswer.failed(missing.reason(), correlationId, null);
            }
        }
        String clusterName = revision.clusterArn() == null ? null : revision.clusterArn().substring(revision.clusterArn().lastIndexOf('/') + 1);
        String mine = config.cluster().substring(config.cluster().lastIndexOf('/') + 1);
        if (!mine.equals(clusterName)) {
            return HookAnswer.failed("the deployment's service runs on cluster " + revision.clusterArn() + ", but this runner runs"
                    + " migrations on " + config.cluster() + " only: deploy a runner for that cluster", correlationId, null);
        }
        TaskDefinitionArn taskDefinition;
        try {
            taskDefinition = TaskDefinitionArn.parse(revision.taskDefinition());
        } catch (IllegalArgumentException e) {
            return HookAnswer.failed("service revision " + revision.arn() + ": " + e.getMessage(), correlationId, null);
        }
        String problem = owner.problemWith(taskDefinition, "the service revision's task definition");
        if (problem != null) {
            return rejected(call, correlationId, taskDefinition, problem);
        }
        if (revision.settings().subnets().isEmpty()) {
            return HookAnswer.failed("service revision " + revision.arn() + " has no awsvpc network configuration to run the migration"
                    + " in: the runner starts migrations on Fargate-style networking only", correlationId, null);
        }
        String eventId = call.executionId() != null ? call.executionId() : call.deploymentId();
        Decision decision = starter.launch(new MigrationRequest(eventId, correlationId, taskDefinition, false), revision.settings());
        MigrationStatus status = decision.status();
        String waitingFor = Json.text(call.hookDetails().get(HookAnswer.WAITING_FOR));
        boolean stillWaiting = status.status() == MigrationStatus.Outcome.ALREADY_RUNNING && status.startedBy() != null
                && status.startedBy().equals(waitingFor);
        if (!stillWaiting) {
            // A wait for the same run is reported once, not at every call ECS makes while it lasts.
            report.accept(decision);
        }
        return switch (status.status()) {
            case STARTED -> HookAnswer.inProgress("started the migration " + status.taskArn() + " of deployment " + call.deploymentId(),
                    correlationId, status.taskArn());
            case ALREADY_RUNNING -> correlationId.equals(status.startedBy())
                    ? HookAnswer.inProgress("the deployment's migration runs: " + status.taskArn(), correlationId, status.taskArn())
                    : waitForLock(correlationId, since, status).waitingFor(status.startedBy());
            case REJECTED, FAILED, DRY_RUN -> HookAnswer.failed(status.reason(), correlationId, status.taskArn());
        };
    }

    /**
     * Another run holds the family's lock (another deployment's migration, or a pipeline's): wait for it, as a run
     * queued behind another, until the hook's time is up.
     */
    private HookAnswer waitForLock(String correlationId, Instant since, MigrationStatus status) {
        Duration waited = since == null ? Duration.ZERO : Duration.between(since, clock.instant());
        if (waited.compareTo(config.table().hookTimeout()) >= 0) {
            return HookAnswer.failed("gave up after " + waited.toSeconds() + " s (HOOK_TIMEOUT_SECONDS): " + status.reason(),
                    correlationId, null);
        }
        return HookAnswer.inProgress("waiting for the family's lock: " + status.reason(), correlationId, null);
    }

    /** A run whose task has started: its verdict once it stops, else wait, within the hook's time. */
    private HookAnswer follow(RunLedger.Run run) {
        TaskStates.State state = tasks.describe(List.of(run.taskArn())).getOrDefault(run.taskArn(), new TaskStates.Missing());
        Duration age = run.createdAt() == null ? Duration.ZERO : Duration.between(run.createdAt(), clock.instant());
        return switch (state) {
            case TaskStates.Stopped stopped -> switch (completer.complete(stopped.task())) {
                case Completer.Completed completed -> fromVerdict(completed.completion());
                case Completer.Republished again -> fromVerdict(again.completion());
                case Completer.Ignored ignored -> ledger.run(run.correlationId()).map(RunLedger.Run::verdict).map(this::fromVerdict)
                        .orElseGet(() -> HookAnswer.failed("the migration's task stopped, but no verdict could be recorded: "
                                + ignored.reason(), run.correlationId(), run.taskArn()));
            };
            case TaskStates.Live live -> {
                if (age.compareTo(config.table().hookTimeout()) >= 0) {
                    String reason = "gave up after " + age.toSeconds() + " s (HOOK_TIMEOUT_SECONDS " + config.table().hookTimeout().toSeconds()
                            + "): stopped the migration " + run.taskArn() + " so that nothing runs behind a rolled-back deployment";
                    revisions.stop(run.taskArn(), "ECS deployment hook gave up on run " + run.correlationId());
                    yield HookAnswer.failed(reason, run.correlationId(), run.taskArn());
                }
                yield HookAnswer.inProgress("the migration runs (" + age.toSeconds() + " s)", run.correlationId(), run.taskArn());
            }
            case TaskStates.Missing missing -> age.compareTo(config.table().lockGrace()) > 0
                    ? HookAnswer.failed("ECS does not know the migration's task " + run.taskArn() + " " + age.toSeconds()
                            + " s after it started; its outcome cannot be told", run.correlationId(), run.taskArn())
                    : HookAnswer.inProgress("the migration's task is not visible in ECS yet", run.correlationId(), run.taskArn());
        };
    }

    private HookAnswer fromVerdict(Completion verdict) {
        String reason = "migration " + verdict.result().word() + ": " + verdict.reason();
        return verdict.result() == MigrationResult.SUCCEEDED
                ? HookAnswer.succeeded(reason, verdict.correlationId(), verdict.taskArn())
                : HookAnswer.failed(reason, verdict.correlationId(), verdict.taskArn());
    }

    private HookAnswer rejected(HookCall.Invocation call, String correlationId, TaskDefinitionArn taskDefinition, String problem) {
        String eventId = call.executionId() != null ? call.executionId() : call.deploymentId();
        MigrationStatus status = new MigrationStatus(MigrationStatus.Outcome.REJECTED, problem, correlationId, eventId, config.cluster(),
                taskDefinition.value(), null, null, config.override().containerName());
        report.accept(starter.rejected(status));
        return HookAnswer.failed(problem, correlationId, null);
    }

    /**
     * The run's correlation id: {@value #PREFIX} and the deployment's id, within the 36 characters ECS allows in
     * {@code startedBy}; a longer or unusual id is replaced by a digest of the deployment's ARN.
     */
    public static String correlationId(String deploymentArn) {
        String id = deploymentArn.substring(deploymentArn.lastIndexOf('/') + 1);
        String candidate = PREFIX + id;
        if (Contract.CORRELATION_ID.matcher(candidate).matches()) {
            return candidate;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(deploymentArn.getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(digest).substring(0, Contract.CORRELATION_ID_MAX_LENGTH - PREFIX.length());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
