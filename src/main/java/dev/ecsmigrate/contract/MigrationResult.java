package dev.ecsmigrate.contract;

/** How a migration ended (CONTRACT.md section 5): the same words as the waiter's {@code result=}. */
public enum MigrationResult {

    /** The migration container exited 0. */
    SUCCEEDED("succeeded"),
    /** The migration container exited non-zero. */
    FAILED("failed"),
    /** The migration never ran: the task failed to start, its image could not be pulled, or it stopped without an exit code. */
    NOT_STARTED("not_started");

    private final String word;

    MigrationResult(String word) {
        this.word = word;
    }

    /** The word users see in events, records and outputs. */
    public String word() {
        return word;
    }

    public static MigrationResult fromWord(String word) {
        for (MigrationResult result : values()) {
            if (result.word.equals(word)) {
                return result;
            }
        }
        throw new IllegalArgumentException("not a migration result: " + word);
    }
}
