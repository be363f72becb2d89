package dev.ecsmigrate;

/** Sends each status where pipelines and alarms can see it. */
public interface StatusPublisher {

    /** The detail-type of status events; the trigger rule never matches it. */
    String DETAIL_TYPE = "AWS ECS Migration Task Status";

    /** @throws RuntimeException when the status could not be delivered, so that Lambda retries the event */
    void publish(MigrationStatus status, String statusJson);
}
