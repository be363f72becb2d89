package dev.ecsmigrate.aws;

/**
 * ECS could not start the task for now (capacity, an agent reconnecting). Thrown so that Lambda's
 * asynchronous retries try again later, and the on-failure destination keeps the event if they run out.
 */
public final class TransientEcsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TransientEcsException(String message) {
        super(message);
    }
}
