package dev.ecsmigrate.hook;

import dev.ecsmigrate.start.LaunchSettings;

/** The ECS calls only the deployment hook makes: read a service revision, and stop a task it gives up on. */
public interface ServiceRevisions {

    /** What a service revision runs and where. */
    record Revision(String arn, String clusterArn, String taskDefinition, LaunchSettings settings) {
    }

    sealed interface Lookup {
    }

    record Found(Revision revision) implements Lookup {
    }

    /** ECS does not know the revision, or it cannot run a migration (no awsvpc network); the reason says which. */
    record Missing(String reason) implements Lookup {
    }

    /** Throttling, 5xx and timeouts are thrown; anything else ECS refuses ends here. */
    Lookup revision(String revisionArn);

    /** Stops a task, saying why; a task that has stopped already is no error. */
    void stop(String taskArn, String reason);
}
