package dev.ecsmigrate;

/** ECS refused the migration for a reason a retry will not fix; the runner reports it as FAILED. */
public final class TaskRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TaskRefusedException(String message) {
        super(message);
    }
}
