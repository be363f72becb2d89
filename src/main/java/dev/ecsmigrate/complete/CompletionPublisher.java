package dev.ecsmigrate.complete;

import dev.ecsmigrate.contract.Completion;

/** Publishes the {@code AWS ECS Migration Task Completed} event; a failure is thrown, for Lambda to retry. */
@FunctionalInterface
public interface CompletionPublisher {

    void publish(Completion completion);
}
