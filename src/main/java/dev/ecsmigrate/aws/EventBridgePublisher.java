package dev.ecsmigrate.aws;

import dev.ecsmigrate.complete.CompletionPublisher;
import dev.ecsmigrate.contract.Completion;
import dev.ecsmigrate.contract.Contract;
import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.start.StatusPublisher;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

/**
 * Publishes the runner's events to an EventBridge bus with source {@code ecs.migration}: the status of every
 * trigger event, and the completion of every migration task. An entry EventBridge does not accept is thrown,
 * for Lambda to retry.
 */
public final class EventBridgePublisher implements StatusPublisher, CompletionPublisher {

    private final EventBridgeClient events;
    private final String eventBus;

    public EventBridgePublisher(EventBridgeClient events, String eventBus) {
        this.events = events;
        this.eventBus = eventBus;
    }

    @Override
    public void publish(MigrationStatus status, String statusJson) {
        put(Contract.STATUS_DETAIL_TYPE, statusJson, status.taskArn());
    }

    @Override
    public void publish(Completion completion) {
        put(Contract.COMPLETED_DETAIL_TYPE, completion.toJson(), completion.taskArn());
    }

    private void put(String detailType, String detail, String resource) {
        PutEventsRequestEntry.Builder entry = PutEventsRequestEntry.builder()
                .eventBusName(eventBus)
                .source(Contract.SOURCE)
                .detailType(detailType)
                .detail(detail);
        if (resource != null) {
            entry.resources(resource);
        }
        PutEventsResponse response = events.putEvents(r -> r.entries(entry.build()));
        Integer failed = response.failedEntryCount();
        if (failed != null && failed > 0) {
            PutEventsResultEntry result = response.entries().isEmpty() ? null : response.entries().getFirst();
            throw new IllegalStateException("EventBridge did not accept the '" + detailType + "' event on bus '" + eventBus + "': "
                    + (result == null ? "no detail" : result.errorCode() + ": " + result.errorMessage()));
        }
    }
}
