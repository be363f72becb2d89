package dev.ecsmigrate.complete;

import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.contract.Completion;
import dev.ecsmigrate.contract.Contract;
import dev.ecsmigrate.contract.MigrationMetric;
import dev.ecsmigrate.contract.MigrationResult;
import dev.ecsmigrate.contract.TaskDefinitionArn;
import dev.ecsmigrate.json.Json;
import dev.ecsmigrate.metrics.Metrics;
import dev.ecsmigrate.verdict.Judgement;
import dev.ecsmigrate.verdict.MigrationContainer;
import dev.ecsmigrate.verdict.StoppedTask;
import dev.ecsmigrate.verdict.Verdicts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The completion path (CONTRACT.md section 5): a stopped migration task becomes one verdict in its run's
 * record, its family's lock given back, one {@code AWS ECS Migration Task Completed} event and its metrics.
 *
 * <p>ECS delivers task events at least once, late or twice, and on a best-effort basis. So the first verdict
 * of a run stands, and a repeat only sends the stored verdict's event again if it never went out; and the
 * sweep, on a schedule, completes the runs whose event was lost.
 */
public final class Completer {

    private final RunnerConfig config;
    private final RunLedger ledger;
    private final TaskStates tasks;
    private final CompletionPublisher publisher;
    private final Metrics metrics;
    private final Clock clock;

    public Completer(RunnerConfig config, RunLedger ledger, TaskStates tasks, CompletionPublisher publisher, Metrics metrics,
                     Clock clock) {
        this.config = config;
        this.ledger = ledger;
        this.tasks = tasks;
        this.publisher = publisher;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** What one stopped task came to. */
    public sealed interface Outcome {

        /** One line of JSON for the log and the invocation's answer. */
        default String toJson() {
            Map<String, Object> fields = new LinkedHashMap<>();
            switch (this) {
                case Completed completed -> {
                    fields.put("outcome", "completed");
                    fields.putAll(completed.completion().fields());
                }
                case Republished again -> {
                    fields.put("outcome", "republished");
                    fields.putAll(again.completion().fields());
                }
                case Ignored ignored -> {
                    fields.put("outcome", "ignored");
                    fields.put("reason", ignored.reason());
                }
            }
            return Json.write(fields);
        }
    }

    /** The verdict was recorded and published for the first time. */
    public record Completed(Completion completion) implements Outcome {
    }

    /** The run had its verdict, but its event had not gone out: the same verdict was published again. */
    public record Republished(Completion completion) implements Outcome {
    }

    /** Nothing to do: not a migration of this runner, still running, a repeat, or an earlier attempt. */
    public record Ignored(String reason) implements Outcome {
    }

    /** What one sweep found and did. */
    public record SweepReport(int awaiting, int completed, int running, int lost, long oldestRunningSeconds) {

        public String toJson() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("outcome", "swept");
            fields.put("awaiting", number(awaiting));
            fields.put("completed", number(completed));
            fields.put("running", number(running));
            fields.put("lost", number(lost));
            fields.put("oldest_running_seconds", number(oldestRunningSeconds));
            return Json.write(fields);
        }

        private static Json.Number number(long value) {
            return new Json.Number(Long.toString(value));
        }
    }

    /** Completes the run of a stopped migration task, once. */
    public Outcome complete(StoppedTask task) {
        if (!task.stopped()) {
            return new Ignored("task " + task.taskArn() + " is " + task.lastStatus() + ", not STOPPED");
        }
        String family = Contract.familyOfGroup(task.group());
        String notOurs = notOurs(task, family);
        if (notOurs != null) {
            return new Ignored(notOurs);
        }
        Optional<RunLedger.Run> found = task.startedBy() == null || !Contract.CORRELATION_ID.matcher(task.startedBy()).matches()
                ? Optional.empty() : ledger.run(task.startedBy());
        if (found.isEmpty()) {
            return new Ignored("task " + task.taskArn() + " has no run record under startedBy '" + task.startedBy()
                    + "': it was not started by this runner");
        }
        RunLedger.Run run = found.get();
        if (run.lost()) {
            return new Ignored("run " + run.correlationId() + " was recorded as lost before this event arrived; its record says so");
        }
        if (run.verdict() != null) {
            return repeat(run);
        }
        if (run.taskArn() != null && !run.taskArn().equals(task.taskArn())) {
            return new Ignored("run " + run.correlationId() + " is decided by its task " + run.taskArn() + ", not by " + task.taskArn());
        }
        Judgement judgement = Verdicts.judge(task, container(run, task));
        Judgement.Verdict verdict = judgement.verdict();
        Completion completion = new Completion(verdict.result(), verdict.exitCode(), verdict.stopCode(), verdict.reason(),
                verdict.container(), run.correlationId(), task.taskArn(), task.taskDefinitionArn(), config.cluster(),
                task.startedAt(), task.stoppedAt());
        return switch (ledger.judge(run, completion)) {
            case RunLedger.Recorded recorded -> {
                // Counted once, here: a retry that finishes the rest never counts again.
                metrics.record(config.cluster(), family, measures(completion));
                finish(family, run.correlationId(), completion);
                yield new Completed(completion);
            }
            case RunLedger.AlreadyJudged judged -> repeat(new RunLedger.Run(run.correlationId(), run.status(), run.taskArn(),
                    run.container(), run.taskDefinition(), run.createdAt(), judged.verdict(), judged.published(), false));
            case RunLedger.Superseded superseded -> new Ignored("run " + run.correlationId() + " is decided by its task "
                    + superseded.taskArn() + ", not by " + task.taskArn());
        };
    }

    /**
     * Completes every run whose task has stopped although no event said so, marks as lost the runs whose task
     * ECS forgot, and measures how long the oldest migration still running has run.
     */
    public SweepReport sweep() {
        List<RunLedger.Run> awaiting = ledger.awaiting();
        List<String> arns = new ArrayList<>();
        for (RunLedger.Run run : awaiting) {
            if (run.taskArn() != null && run.verdict() == null) {
                arns.add(run.taskArn());
            }
        }
        Map<String, TaskStates.State> states = arns.isEmpty() ? Map.of() : tasks.describe(arns);
        Instant now = clock.instant();
        int completed = 0;
        int running = 0;
        int lost = 0;
        long oldest = 0;
        RuntimeException failure = null;
        for (RunLedger.Run run : awaiting) {
            // One run that cannot be completed now must not keep the others, or the age metric, from the sweep.
            try {
                if (run.verdict() != null) {
                    // Judged, but its event never went out (the publish failed): send it now.
                    if (repeat(run) instanceof Republished) {
                        completed++;
                    }
                    continue;
                }
                TaskStates.State state = run.taskArn() == null ? new TaskStates.Missing()
                        : states.getOrDefault(run.taskArn(), new TaskStates.Missing());
                switch (state) {
                    case TaskStates.Stopped stopped -> {
                        if (complete(stopped.task()) instanceof Completed) {
                            completed++;
                        }
                    }
                    case TaskStates.Live live -> {
                        running++;
                        Instant since = first(live.task().startedAt(), live.task().createdAt(), run.createdAt());
                        oldest = Math.max(oldest, since == null ? 0 : Duration.between(since, now).toSeconds());
                    }
                    case TaskStates.Missing missing -> {
                        // A run without its start time (never written so) counts as past the grace: else it would wait forever.
                        Duration age = run.createdAt() == null ? config.table().lockGrace().plusSeconds(1)
                                : Duration.between(run.createdAt(), now);
                        if (age.compareTo(config.table().lockGrace()) > 0) {
                            if (lose(run, age)) {
                                lost++;
                            }
                        } else {
                            // Started moments ago, and not visible in ECS yet.
                            running++;
                            oldest = Math.max(oldest, age.toSeconds());
                        }
                    }
                }
            } catch (RuntimeException e) {
                RuntimeException named = new IllegalStateException("the sweep could not complete run " + run.correlationId() + ": "
                        + e.getMessage(), e);
                if (failure == null) {
                    failure = named;
                } else {
                    failure.addSuppressed(named);
                }
            }
        }
        metrics.record(config.cluster(), null, Map.of(MigrationMetric.OLDEST_RUNNING_AGE, oldest));
        if (failure != null) {
            // Thrown after the others were done, so that the error alarm sees it; the next sweep tries again.
            throw failure;
        }
        return new SweepReport(awaiting.size(), completed, running, lost, oldest);
    }

    private boolean lose(RunLedger.Run run, Duration age) {
        String family = family(run.taskDefinition());
        String reason = "ECS no longer knows task " + run.taskArn() + " of run " + run.correlationId() + " (started "
                + age.toMinutes() + " min ago) and no event told how it ended; its outcome is lost: check the task's logs";
        if (!ledger.lost(run, reason)) {
            return false;
        }
        ledger.release(family, run.correlationId(), run.taskArn());
        metrics.record(config.cluster(), family, Map.of(MigrationMetric.LOST, 1));
        return true;
    }

    /**
     * What follows a recorded verdict: the lock given back and the event. The run is marked published last (which
     * takes it off the awaiting index), so that a failure before leaves it to {@link #repeat}, from a retried event
     * or the next sweep, which finishes the same steps; each is harmless twice.
     */
    private void finish(String family, String correlationId, Completion completion) {
        ledger.release(family, correlationId, completion.taskArn());
        publisher.publish(completion);
        ledger.published(correlationId);
    }

    /** A repeated or late event for a run that has its verdict: the verdict stands, and goes out once. */
    private Outcome repeat(RunLedger.Run run) {
        if (run.published()) {
            return new Ignored("run " + run.correlationId() + " has its verdict already (" + run.verdict().result().word()
                    + "); this is a repeated or late event");
        }
        finish(family(run.verdict().taskDefinition()), run.correlationId(), run.verdict());
        return new Republished(run.verdict());
    }

    /** Why this stopped task is not a migration of this runner, or null when it is. */
    private String notOurs(StoppedTask task, String family) {
        if (family == null) {
            return "task " + task.taskArn() + " is in group '" + task.group() + "', not a migration's (" + Contract.TASK_GROUP_PREFIX
                    + "<family>)";
        }
        if (!config.allowedFamilies().contains(family)) {
            return "task " + task.taskArn() + " is a migration of family " + family + ", which this runner does not run";
        }
        String cluster = task.clusterArn() == null ? null : task.clusterArn().substring(task.clusterArn().lastIndexOf('/') + 1);
        String mine = config.cluster().substring(config.cluster().lastIndexOf('/') + 1);
        if (!mine.equals(cluster)) {
            return "task " + task.taskArn() + " runs on cluster " + task.clusterArn() + ", not on " + config.cluster();
        }
        return null;
    }

    /** The container that decides: the run's, else the configured one, else the task's only one, else the essentials. */
    private MigrationContainer container(RunLedger.Run run, StoppedTask task) {
        if (run.container() != null) {
            return new MigrationContainer.Named(run.container());
        }
        String configured = config.override().containerName();
        if (configured != null) {
            return new MigrationContainer.Named(configured);
        }
        if (task.containers().size() == 1 && task.containers().getFirst().name() != null) {
            return new MigrationContainer.Named(task.containers().getFirst().name());
        }
        return new MigrationContainer.Essentials(tasks.essentialContainers(task.taskDefinitionArn()));
    }

    private static Map<MigrationMetric, Number> measures(Completion completion) {
        Map<MigrationMetric, Number> values = new EnumMap<>(MigrationMetric.class);
        switch (completion.result()) {
            case SUCCEEDED -> values.put(MigrationMetric.SUCCEEDED, 1);
            case FAILED -> values.put(MigrationMetric.FAILED, 1);
            case NOT_STARTED -> values.put(MigrationMetric.FAILED_TO_START, 1);
        }
        if (completion.result() != MigrationResult.NOT_STARTED && completion.durationSeconds() != null) {
            values.put(MigrationMetric.DURATION, completion.durationSeconds());
        }
        return values;
    }

    private static String family(String taskDefinition) {
        try {
            return taskDefinition == null ? null : TaskDefinitionArn.parse(taskDefinition).family();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Instant first(Instant... candidates) {
        for (Instant candidate : candidates) {
            if (candidate != null) {
                return candidate;
            }
        }
        return null;
    }
}
