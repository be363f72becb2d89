package dev.ecsmigrate.complete;

import dev.ecsmigrate.contract.Completion;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the completion path needs from the table of locks and run records (CONTRACT.md sections 4 and 5).
 * Every write that decides something is conditional: the first verdict of a run stands, and a lock is
 * given back only by the run that holds it.
 */
public interface RunLedger {

    /** The run's record, read strongly consistently, or empty when the runner has no record of it. */
    Optional<Run> run(String correlationId);

    /**
     * Writes the verdict into the run's record, unless it has one already or names another task, and takes
     * the run off the list of runs awaiting a verdict.
     */
    Judged judge(Run run, Completion completion);

    /**
     * The run's task is gone from ECS, so its outcome cannot be told: records that, and takes the run off the
     * list, unless a verdict came first.
     */
    boolean lost(Run run, String reason);

    /** Notes that the run's completion event went out, so that a repeat does not send it again. */
    void published(String correlationId);

    /** Gives the family's lock back if this run holds it with this task (or with none); true when it did. */
    boolean release(String family, String correlationId, String taskArn);

    /**
     * The runs that started a task and whose completion has not gone out yet: no verdict, or a verdict not
     * published (an index, so it may lag behind by a moment).
     */
    List<Run> awaiting();

    /**
     * A run's record.
     *
     * @param taskArn this run's task, or null when it has none
     * @param createdAt since when the run has been going: its task's start, else when it was first recorded
     * @param container the container the run names, or null
     * @param verdict the verdict, once there is one
     * @param published whether the completion event for that verdict went out
     * @param lost whether the sweep found its task gone from ECS with no verdict, so its outcome is unknown
     */
    record Run(String correlationId, String status, String taskArn, String container, String taskDefinition, Instant createdAt,
               Completion verdict, boolean published, boolean lost) {
    }

    /** The answer to {@link #judge}. */
    sealed interface Judged {
    }

    /** This verdict is the run's now. */
    record Recorded() implements Judged {
    }

    /** The run had a verdict already: it stands, and says whether its event went out. */
    record AlreadyJudged(Completion verdict, boolean published) implements Judged {
    }

    /** The record names another task of the run (a newer attempt): this task does not decide it. */
    record Superseded(String taskArn) implements Judged {
    }
}
