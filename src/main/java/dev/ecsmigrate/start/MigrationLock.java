package dev.ecsmigrate.start;

import dev.ecsmigrate.contract.MigrationStatus;

import java.time.Instant;

/**
 * One migration per family at a time (CONTRACT.md section 4): each family's lock on the cluster, taken with
 * a strongly consistent conditional write before RunTask, and the run records that go with it. Expected
 * answers are values; an unreachable table is thrown, for Lambda to retry.
 */
public interface MigrationLock {

    /**
     * Takes the family's lock for this run, unless another run holds it or this run already has a task.
     * The same run may take it again (a redelivery).
     */
    Claim claim(Claimant me);

    /**
     * Takes over a lock whose holder is stale, with a write conditional on that very holder, so that two
     * runs can never both take it over.
     */
    Claim takeOver(Claimant me, Holder stale);

    /** Puts this run's task on the lock and records the run as STARTED, in one write. */
    void started(Claimant me, String taskArn, MigrationStatus status);

    /** ECS refused the task: gives the lock back and records the run as FAILED, in one write. */
    void refused(Claimant me, MigrationStatus status);

    /** The run that asks for the lock. */
    record Claimant(String correlationId, String eventId, String cluster, String family) {
    }

    /**
     * The run that holds a lock.
     *
     * @param taskArn the run's task, or null while RunTask has not answered
     */
    record Holder(String correlationId, String eventId, String taskArn, Instant takenAt) {
    }

    /** The answer to a claim. */
    sealed interface Claim permits Taken, Held, AlreadyStarted {
    }

    /** This run holds the lock now; RunTask may go ahead. */
    record Taken() implements Claim {
    }

    /** Another run holds the lock. */
    record Held(Holder holder) implements Claim {
    }

    /** This run has a task already (a repeated delivery): nothing more to start. */
    record AlreadyStarted(String taskArn) implements Claim {
    }
}
