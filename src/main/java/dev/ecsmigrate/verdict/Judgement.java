package dev.ecsmigrate.verdict;

import dev.ecsmigrate.contract.MigrationResult;

/** What a stopped migration task means: a {@link Verdict}, or {@link Undecided} when no container can decide. */
public sealed interface Judgement {

    /** The verdict to record and publish; an undecided task counts as failed, with the reason why. */
    Verdict verdict();

    /**
     * The migration's outcome.
     *
     * @param exitCode the deciding container's exit code, or null when it has none
     * @param container the deciding container, or null when none could be told
     */
    record Verdict(MigrationResult result, Integer exitCode, String stopCode, String reason, String container) implements Judgement {

        @Override
        public Verdict verdict() {
            return this;
        }
    }

    /**
     * No container can decide: the task definition has several essential containers (or none) and the
     * migration container is not named. The waiter ends such a wait with {@code result=error}.
     */
    record Undecided(String reason, String stopCode) implements Judgement {

        @Override
        public Verdict verdict() {
            return new Verdict(MigrationResult.FAILED, null, stopCode, reason, null);
        }
    }
}
