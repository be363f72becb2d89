package dev.ecsmigrate.start;

import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.contract.MigrationStatus.Outcome;
import dev.ecsmigrate.contract.MigrationStatus;

/**
 * The start path for a valid configuration: validate the event, check for a running migration of the
 * family, start one task, and say what happened as one status.
 */
public final class MigrationStarter implements Starter {

    private final RunnerConfig config;
    private final EventValidator validator;
    private final MigrationTasks tasks;

    public MigrationStarter(RunnerConfig config, EventValidator validator, MigrationTasks tasks) {
        this.config = config;
        this.validator = validator;
        this.tasks = tasks;
    }

    @Override
    public MigrationStatus start(byte[] rawEvent) {
        return switch (validator.validate(rawEvent)) {
            case Validation.Rejected rejected -> new MigrationStatus(Outcome.REJECTED, rejected.reason(), rejected.correlationId(),
                    rejected.eventId(), config.cluster(), rejected.taskDefinition(), null, null, config.override().containerName());
            case Validation.Accepted accepted -> launch(accepted.request());
        };
    }

    private MigrationStatus launch(MigrationRequest request) {
        LaunchSettings service = null;
        if (config.copiesFromService()) {
            switch (tasks.serviceSettings(config.networkFromService())) {
                case MigrationTasks.Found found -> service = found.settings();
                case MigrationTasks.Missing missing -> {
                    return status(Outcome.REJECTED, "invalid configuration: " + missing.reason(), request, null, null);
                }
                case MigrationTasks.Refused refused -> {
                    return status(Outcome.FAILED, refused.reason(), request, null, request.correlationId());
                }
            }
        }
        LaunchSettings settings = LaunchSettings.resolve(config, service);
        if (settings.subnets().isEmpty()) {
            return status(Outcome.REJECTED, "invalid configuration: SUBNETS is not set and the service '" + config.networkFromService()
                    + "' has no awsvpc network configuration to copy: set SUBNETS and SECURITY_GROUPS", request, null, null);
        }
        if (request.dryRun()) {
            RunnerConfig.Override override = config.override();
            String command = override.command().isEmpty() ? "the task definition's own command"
                    : "command " + String.join(" ", override.command()) + " in container " + override.containerName();
            return status(Outcome.DRY_RUN, "dry run: would start " + request.taskDefinition() + " on cluster " + config.cluster()
                    + " with " + settings.describe() + ", running " + command + "; nothing was started", request, null, request.correlationId());
        }
        switch (tasks.activeMigrations(request.taskDefinition().family())) {
            case MigrationTasks.Refused refused -> {
                return status(Outcome.FAILED, refused.reason(), request, null, request.correlationId());
            }
            case MigrationTasks.Active active when !active.tasks().isEmpty() -> {
                return alreadyRunning(request, active.tasks().getFirst());
            }
            case MigrationTasks.Active none -> {
                // Nothing runs: go on and start one.
            }
        }
        return switch (tasks.start(request, settings)) {
            case MigrationTasks.Started started -> status(Outcome.STARTED, "started " + request.taskDefinition() + " on cluster "
                    + config.cluster(), request, started.taskArn(), request.correlationId());
            case MigrationTasks.Refused refused -> status(Outcome.FAILED, refused.reason(), request, null, request.correlationId());
        };
    }

    private MigrationStatus alreadyRunning(MigrationRequest request, MigrationTasks.ActiveTask other) {
        String whose = request.correlationId().equals(other.startedBy())
                ? "this run's own task (correlation id " + other.startedBy() + ") is already " + other.lastStatus()
                + ", so this is a repeated delivery"
                : "another migration of family " + request.taskDefinition().family() + " is " + other.lastStatus()
                + " (correlation id " + other.startedBy() + "); wait for it to finish, then send the event again";
        return status(Outcome.ALREADY_RUNNING, "not starting a second migration: " + whose, request, other.taskArn(), other.startedBy());
    }

    private MigrationStatus status(Outcome outcome, String reason, MigrationRequest request, String taskArn, String startedBy) {
        return new MigrationStatus(outcome, reason, request.correlationId(), request.eventId(), config.cluster(),
                request.taskDefinition().value(), taskArn, startedBy, config.override().containerName());
    }
}
