package dev.ecsmigrate.aws;

import dev.ecsmigrate.contract.Contract;
import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.start.StatusPublisher;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

/** Publishes statuses to an EventBridge bus with source {@code ecs.migration}. */
public final class EventBridgeStatusPublisher implements StatusPublisher {

    private final EventBridgeClient events;
    private final String eventBus;

    public EventBridgeStatusPublisher(EventBridgeClient events, String eventBus) {
        this.events = events;
        this.eventBus = eventBus;
    }

    @Override
    public void publish(MigrationStatus status, String statusJson) {
        PutEventsRequestEntry.Builder entry = PutEventsRequestEntry.builder()
                .eventBusName(eventBus)
                .source(Contract.SOURCE)
                .detailType(Contract.STATUS_DETAIL_TYPE)
                .detail(statusJson);
        if (status.taskArn() != null) {
            entry.resources(status.taskArn());
        }
        PutEventsResponse response = events.putEvents(r -> r.entries(entry.build()));
        Integer failed = response.failedEntryCount();
        if (failed != null && failed > 0) {
            PutEventsResultEntry result = response.entries().isEmpty() ? null : response.entries().getFirst();
            throw new IllegalStateException("EventBridge did not accept the status event on bus '" + eventBus + "': "
                    + (result == null ? "no detail" : result.errorCode() + ": " + result.errorMessage()));
        }
    }
}
