package dev.ecsmigrate;

import java.util.List;

/** What the runner needs from ECS, and nothing more. */
public interface MigrationTasks {

    /** A migration task that is pending or running. */
    record ActiveTask(String taskArn, String startedBy, String lastStatus) {
    }

    /**
     * The network and capacity settings of a live ECS service on the cluster.
     *
     * @throws InvalidConfigurationException when the service does not exist
     * @throws TaskRefusedException          when ECS refuses for a reason a retry will not fix
     */
    LaunchSettings serviceSettings(String service);

    /** Migration tasks of this family that are pending or running on the cluster. */
    List<ActiveTask> activeMigrations(String family);

    /**
     * Starts the one-off migration task.
     *
     * @return the task's ARN
     * @throws TaskRefusedException when ECS refuses for a reason a retry will not fix
     */
    String start(MigrationRequest request, LaunchSettings settings);
}
