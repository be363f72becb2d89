package dev.ecsmigrate.start;

import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.contract.MigrationStatus.Outcome;
import dev.ecsmigrate.start.MigrationLock.Claimant;
import dev.ecsmigrate.start.MigrationLock.Holder;

import java.time.Clock;
import java.time.Duration;

/**
 * The start path for a valid configuration: validate the event, take the family's lock, start one task,
 * and say what happened as one status, recorded with the run.
 *
 * <p>The lock, not ECS, keeps two migrations apart: ECS's API is eventually consistent, so a task started
 * a moment ago may be missing from what it lists. A lock is taken over only when its holder's task has
 * stopped, or when ECS still knows no task of the holder's after the grace period.
 */
public final class MigrationStarter implements Starter {

    private final RunnerConfig config;
    private final EventValidator validator;
    private final MigrationTasks tasks;
    private final MigrationLock lock;
    private final RunRecords records;
    private final Clock clock;

    public MigrationStarter(RunnerConfig config, EventValidator validator, MigrationTasks tasks, MigrationLock lock,
                            RunRecords records, Clock clock) {
        this.config = config;
        this.validator = validator;
        this.tasks = tasks;
        this.lock = lock;
        this.records = records;
        this.clock = clock;
    }

    @Override
    public Decision start(byte[] rawEvent) {
        return switch (validator.validate(rawEvent)) {
            case Validation.Rejected rejected -> {
                MigrationStatus status = new MigrationStatus(Outcome.REJECTED, rejected.reason(), rejected.correlationId(),
                        rejected.eventId(), config.cluster(), rejected.taskDefinition(), null, null, config.override().containerName());
                yield rejected.wellFormed() ? recorded(status) : new Decision(status, Decision.Commit.NOTHING);
            }
            case Validation.Accepted accepted -> launch(accepted.request());
        };
    }

    private Decision launch(MigrationRequest request) {
        LaunchSettings service = null;
        if (config.copiesFromService()) {
            switch (tasks.serviceSettings(config.networkFromService())) {
                case MigrationTasks.Found found -> service = found.settings();
                case MigrationTasks.Missing missing -> {
                    return recorded(status(Outcome.REJECTED, "invalid configuration: " + missing.reason(), request, null, null));
                }
                case MigrationTasks.Refused refused -> {
                    return recorded(status(Outcome.FAILED, refused.reason(), request, null, request.correlationId()));
                }
            }
        }
        LaunchSettings settings = LaunchSettings.resolve(config, service);
        if (settings.subnets().isEmpty()) {
            return recorded(status(Outcome.REJECTED, "invalid configuration: SUBNETS is not set and the service '"
                    + config.networkFromService() + "' has no awsvpc network configuration to copy: set SUBNETS and SECURITY_GROUPS",
                    request, null, null));
        }
        return launch(request, settings);
    }

    /**
     * Starts a migration whose request and settings come from elsewhere than a trigger event: the deployment
     * hook's, from the target service revision. The same lock, run record and status as for an event.
     */
    public Decision launch(MigrationRequest request, LaunchSettings settings) {
        if (request.dryRun()) {
            RunnerConfig.Override override = config.override();
            String command = override.command().isEmpty() ? "the task definition's own command"
                    : "command " + String.join(" ", override.command()) + " in container " + override.containerName();
            return recorded(status(Outcome.DRY_RUN, "dry run: would start " + request.taskDefinition() + " on cluster " + config.cluster()
                    + " with " + settings.describe() + ", running " + command + "; nothing was started", request, null,
                    request.correlationId()));
        }
        Claimant me = new Claimant(request.correlationId(), request.eventId(), config.cluster(), request.taskDefinition().family());
        MigrationLock.Claim claim = lock.claim(me);
        if (claim instanceof MigrationLock.Held held) {
            String stale = staleness(held.holder());
            if (stale == null) {
                return alreadyRunning(request, held.holder());
            }
            claim = lock.takeOver(me, held.holder());
            if (claim instanceof MigrationLock.Taken) {
                Decision started = start(request, settings, me, "took over the lock of run " + held.holder().correlationId() + " ("
                        + stale + ")");
                return new Decision(started.status(), started.commit(), true);
            }
        }
        return switch (claim) {
            case MigrationLock.Taken taken -> start(request, settings, me, null);
            case MigrationLock.Held held -> alreadyRunning(request, held.holder());
            case MigrationLock.AlreadyStarted own -> {
                MigrationStatus status = status(Outcome.ALREADY_RUNNING, "not starting a second migration: this run (correlation id "
                        + request.correlationId() + ") has its task already, so this is a repeated delivery", request, own.taskArn(),
                        request.correlationId());
                yield recorded(status);
            }
        };
    }

    private Decision start(MigrationRequest request, LaunchSettings settings, Claimant me, String takeover) {
        return switch (tasks.start(request, settings)) {
            case MigrationTasks.Started started -> {
                MigrationStatus status = status(Outcome.STARTED, "started " + request.taskDefinition() + " on cluster " + config.cluster()
                        + (takeover == null ? "" : "; " + takeover), request, started.taskArn(), request.correlationId());
                yield new Decision(status, () -> lock.started(me, started.taskArn(), status));
            }
            case MigrationTasks.Refused refused -> {
                MigrationStatus status = status(Outcome.FAILED, refused.reason(), request, null, request.correlationId());
                yield new Decision(status, () -> lock.refused(me, status));
            }
        };
    }

    /** Why the holder's lock may be taken over, or null while it still stands. */
    private String staleness(Holder holder) {
        Duration age = Duration.between(holder.takenAt(), clock.instant());
        boolean graceOver = age.compareTo(config.table().lockGrace()) > 0;
        if (holder.taskArn() == null) {
            return graceOver ? "it started no task within " + config.table().lockGrace().toSeconds() + " s" : null;
        }
        return switch (tasks.taskState(holder.taskArn())) {
            case MigrationTasks.Stopped stopped -> "its task " + holder.taskArn() + " has stopped";
            case MigrationTasks.Unknown unknown -> graceOver
                    ? "ECS has not known its task " + holder.taskArn() + " for " + age.toSeconds() + " s" : null;
            case MigrationTasks.Live live -> null;
            case MigrationTasks.Refused refused -> null;
        };
    }

    private Decision alreadyRunning(MigrationRequest request, Holder holder) {
        String task = holder.taskArn() == null ? "its task is starting" : "its task is " + holder.taskArn();
        return recorded(status(Outcome.ALREADY_RUNNING, "not starting a second migration: another migration of family "
                + request.taskDefinition().family() + " holds the lock (correlation id " + holder.correlationId() + ", taken at "
                + holder.takenAt() + "; " + task + "); wait for it to finish, then send the event again", request, holder.taskArn(),
                holder.correlationId()));
    }

    /** A status decided before the start path (the deployment hook's refusals), recorded as the run's. */
    public Decision rejected(MigrationStatus status) {
        return recorded(status);
    }

    private Decision recorded(MigrationStatus status) {
        return new Decision(status, () -> records.record(status));
    }

    private MigrationStatus status(Outcome outcome, String reason, MigrationRequest request, String taskArn, String startedBy) {
        return new MigrationStatus(outcome, reason, request.correlationId(), request.eventId(), config.cluster(),
                request.taskDefinition().value(), taskArn, startedBy, config.override().containerName());
    }
}
