package dev.ecsmigrate;

import dev.ecsmigrate.MigrationStatus.Outcome;

import java.util.List;

/**
 * The core: event bytes in, one status out. Expected outcomes are statuses; throttling,
 * server errors and timeouts stay exceptions so that Lambda retries the event.
 */
public final class MigrationRunner {

    private final RunnerConfig config;
    private final InvalidConfigurationException configProblem;
    private final EventValidator validator;
    private final MigrationTasks tasks;

    /** A runner for a valid configuration. */
    public MigrationRunner(RunnerConfig config, EventValidator validator, MigrationTasks tasks) {
        this.config = config;
        this.configProblem = null;
        this.validator = validator;
        this.tasks = tasks;
    }

    /** A runner whose configuration is invalid: every event is rejected with the problem, and nothing starts. */
    public MigrationRunner(InvalidConfigurationException problem, EventValidator validator) {
        this.config = null;
        this.configProblem = problem;
        this.validator = validator;
        this.tasks = null;
    }

    public MigrationStatus run(byte[] rawEvent) {
        if (configProblem != null) {
            return rejected(validator.reject(rawEvent, configProblem.getMessage()));
        }
        EventValidator.Result result = validator.validate(rawEvent);
        if (result instanceof EventValidator.Rejected rejected) {
            return rejected(rejected);
        }
        MigrationRequest request = ((EventValidator.Accepted) result).request();
        try {
            return launch(request);
        } catch (InvalidConfigurationException e) {
            return status(Outcome.REJECTED, e.getMessage(), request, null, null);
        } catch (TaskRefusedException e) {
            return status(Outcome.FAILED, e.getMessage(), request, null, request.correlationId());
        }
    }

    private MigrationStatus launch(MigrationRequest request) {
        LaunchSettings service = config.copiesFromService() ? tasks.serviceSettings(config.networkFromService()) : null;
        LaunchSettings settings = LaunchSettings.resolve(config, service);
        if (request.dryRun()) {
            String command = config.command().isEmpty() ? "the task definition's own command"
                    : "command " + String.join(" ", config.command()) + " in container " + config.containerName();
            return status(Outcome.DRY_RUN, "dry run: would start " + request.taskDefinition() + " on cluster " + config.cluster()
                    + " with " + settings.describe() + ", running " + command + "; nothing was started", request, null, request.correlationId());
        }
        List<MigrationTasks.ActiveTask> active = tasks.activeMigrations(request.taskDefinition().family());
        if (!active.isEmpty()) {
            MigrationTasks.ActiveTask other = active.getFirst();
            String whose = request.correlationId().equals(other.startedBy())
                    ? "this run's own task (correlation id " + other.startedBy() + ") is already " + other.lastStatus()
                    + ", so this is a repeated delivery"
                    : "another migration of family " + request.taskDefinition().family() + " is " + other.lastStatus()
                    + " (correlation id " + other.startedBy() + "); wait for it to finish, then send the event again";
            return status(Outcome.ALREADY_RUNNING, "not starting a second migration: " + whose, request, other.taskArn(), other.startedBy());
        }
        String taskArn = tasks.start(request, settings);
        return status(Outcome.STARTED, "started " + request.taskDefinition() + " on cluster " + config.cluster(), request, taskArn, request.correlationId());
    }

    private MigrationStatus status(Outcome outcome, String reason, MigrationRequest request, String taskArn, String startedBy) {
        return new MigrationStatus(outcome, reason, request.correlationId(), request.eventId(), config.cluster(),
                request.taskDefinition().value(), taskArn, startedBy, config.containerName());
    }

    private MigrationStatus rejected(EventValidator.Rejected rejected) {
        return new MigrationStatus(Outcome.REJECTED, rejected.reason(), rejected.correlationId(), rejected.eventId(),
                config == null ? null : config.cluster(), rejected.taskDefinition(), null, null,
                config == null ? null : config.containerName());
    }
}
