package dev.ecsmigrate.start;

import java.util.List;

/**
 * What starting a migration needs from ECS, and nothing more. Expected answers are values; throttling,
 * server errors and timeouts are thrown, so that Lambda retries the event.
 */
public interface MigrationTasks {

    /** The network and capacity settings of a live ECS service on the cluster. */
    ServiceLookup serviceSettings(String service);

    /** Migration tasks of this family that are pending or running on the cluster. */
    ActiveLookup activeMigrations(String family);

    /** Starts the one-off migration task. */
    Launch start(MigrationRequest request, LaunchSettings settings);

    /** A migration task that is pending or running. */
    record ActiveTask(String taskArn, String startedBy, String lastStatus) {
    }

    /** The answer to {@link #serviceSettings}. */
    sealed interface ServiceLookup permits Found, Missing, Refused {
    }

    /** The answer to {@link #activeMigrations}. */
    sealed interface ActiveLookup permits Active, Refused {
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

    /** The tasks of the family that are pending or running (maybe none). */
    record Active(List<ActiveTask> tasks) implements ActiveLookup {

        public Active {
            tasks = List.copyOf(tasks);
        }
    }

    /** The task is starting. */
    record Started(String taskArn) implements Launch {
    }

    /** ECS refused for a reason a retry will not fix; the reason carries ECS's message. */
    record Refused(String reason) implements ServiceLookup, ActiveLookup, Launch {
    }
}
