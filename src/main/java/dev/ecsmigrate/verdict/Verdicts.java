package dev.ecsmigrate.verdict;

import dev.ecsmigrate.contract.MigrationResult;
import dev.ecsmigrate.verdict.Judgement.Undecided;
import dev.ecsmigrate.verdict.Judgement.Verdict;

/**
 * The verdict rules, in one place (CONTRACT.md sections 3 and 5); scripts/wait-for-migration.sh applies the
 * same ones, and {@code VerdictAgreementIT} feeds both the same stopped tasks to prove it:
 * <ol>
 *   <li>the container that decides is the named one, else the only essential one; a sidecar never decides;</li>
 *   <li>a task that failed to start ({@code TaskFailedToStart}: an image that cannot be pulled, a secret that
 *       cannot be read, no capacity) never ran: {@code not_started};</li>
 *   <li>so did a container without an exit code (stopped by a person, the scheduler, a Spot interruption
 *       before it exited);</li>
 *   <li>exit code 0 is {@code succeeded}; any other is {@code failed}.</li>
 * </ol>
 */
public final class Verdicts {

    static final String FAILED_TO_START = "TaskFailedToStart";

    private Verdicts() {
    }

    public static Judgement judge(StoppedTask task, MigrationContainer choice) {
        String name = switch (choice) {
            case MigrationContainer.Named named -> named.name();
            case MigrationContainer.Essentials essentials -> essentials.names().size() == 1 ? essentials.names().getFirst() : null;
        };
        if (name == null) {
            var names = ((MigrationContainer.Essentials) choice).names();
            return new Undecided("cannot tell which container is the migration: the task definition "
                    + (task.taskDefinitionArn() == null ? "of task " + task.taskArn() : task.taskDefinitionArn()) + " has " + names.size() + " essential containers (" + String.join(", ", names)
                    + "); name it with the ContainerName parameter", task.stopCode());
        }
        StoppedTask.Container container = task.container(name).orElse(null);
        Integer exitCode = container == null ? null : container.exitCode();
        String containerReason = container == null || blank(container.reason()) ? null : container.reason();
        String stoppedReason = blank(task.stoppedReason()) ? null : task.stoppedReason();
        String why = containerReason != null ? containerReason : stoppedReason != null ? stoppedReason : "no reason given";
        if (FAILED_TO_START.equals(task.stopCode())) {
            return new Verdict(MigrationResult.NOT_STARTED, null, task.stopCode(), "the task failed to start: " + why, name);
        }
        if (container == null) {
            return new Verdict(MigrationResult.NOT_STARTED, null, task.stopCode(), "the task has no container " + name
                    + "; stop code " + orNone(task.stopCode()) + ": " + why, name);
        }
        if (exitCode == null) {
            return new Verdict(MigrationResult.NOT_STARTED, null, task.stopCode(), "container " + name + " stopped without an exit code"
                    + " (stop code " + orNone(task.stopCode()) + ": " + why + ")", name);
        }
        if (exitCode == 0) {
            return new Verdict(MigrationResult.SUCCEEDED, 0, task.stopCode(), "container " + name + " exited 0", name);
        }
        return new Verdict(MigrationResult.FAILED, exitCode, task.stopCode(), "container " + name + " exited " + exitCode
                + (containerReason == null ? "" : " (" + containerReason + ")") + "; stop code " + orNone(task.stopCode()) + ": "
                + (stoppedReason == null ? "no reason given" : stoppedReason), name);
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    private static String orNone(String stopCode) {
        return stopCode == null || stopCode.isBlank() ? "none" : stopCode;
    }
}
