package dev.ecsmigrate.complete;

import dev.ecsmigrate.verdict.StoppedTask;

import java.util.List;
import java.util.Map;

/** What the completion path needs from ECS; throttling and server errors are thrown, for Lambda to retry. */
public interface TaskStates {

    /** The names of the task definition's essential containers, for a run that names no container. */
    List<String> essentialContainers(String taskDefinitionArn);

    /** Where each task stands, by ARN; a task ECS does not know is {@link Missing}. */
    Map<String, State> describe(List<String> taskArns);

    /** A task's state. */
    sealed interface State {
    }

    /** The task has stopped. */
    record Stopped(StoppedTask task) implements State {
    }

    /** The task has not stopped yet. */
    record Live(StoppedTask task) implements State {
    }

    /** ECS does not know the task: started moments ago and not visible yet, or stopped long ago (about an hour). */
    record Missing() implements State {
    }
}
