package dev.ecsmigrate.start;

/**
 * What starting a migration needs from ECS, and nothing more. Expected answers are values; throttling,
 * server errors and timeouts are thrown, so that Lambda retries the event.
 */
public interface MigrationTasks {

    /** The network and capacity settings of a live ECS service on the cluster. */
    ServiceLookup serviceSettings(String service);

    /** Where a task stands, by its ARN. ECS is eventually consistent: a task started moments ago may be Unknown. */
    TaskState taskState(String taskArn);

    /** Starts the one-off migration task. */
    Launch start(MigrationRequest request, LaunchSettings settings);

    /** The answer to {@link #serviceSettings}. */
    sealed interface ServiceLookup permits Found, Missing, Refused {
    }

    /** The answer to {@link #taskState}. */
    sealed interface TaskState permits Live, Stopped, Unknown, Refused {
    }

    /** The answer to {@link #start}. */
    sealed interface Launch permits Started, Refused {
    }

    /** The service exists and is live. */
    record Found(LaunchSettings settings) implements ServiceLookup {
    }

    /** The named service does not exist or is inactive: a configuration problem. */
    record Missing(String reason) implements ServiceLookup {
    }

    /** The task has not stopped; {@code lastStatus} says where it is (PROVISIONING, PENDING, RUNNING...). */
    record Live(String lastStatus) implements TaskState {
    }

    /** The task has stopped. */
    record Stopped() implements TaskState {
    }

    /** ECS does not know the task: started moments ago and not visible yet, or stopped long ago. */
    record Unknown() implements TaskState {
    }

    /** The task is starting. */
    record Started(String taskArn) implements Launch {
    }

    /** ECS refused for a reason a retry will not fix; the reason carries ECS's message. */
    record Refused(String reason) implements ServiceLookup, TaskState, Launch {
    }
}
