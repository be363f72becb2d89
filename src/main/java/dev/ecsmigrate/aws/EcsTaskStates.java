package dev.ecsmigrate.aws;

import dev.ecsmigrate.complete.TaskStates;
import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.verdict.StoppedTask;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.Task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link TaskStates} over the ECS API: DescribeTasks in batches of 100, DescribeTaskDefinition for the essentials. */
public final class EcsTaskStates implements TaskStates {

    /** The most tasks one DescribeTasks call takes. */
    static final int BATCH = 100;

    private final EcsClient ecs;
    private final String cluster;

    public EcsTaskStates(EcsClient ecs, RunnerConfig config) {
        this.ecs = ecs;
        this.cluster = config.cluster();
    }

    @Override
    public List<String> essentialContainers(String taskDefinitionArn) {
        List<String> names = new ArrayList<>();
        for (ContainerDefinition definition : ecs.describeTaskDefinition(r -> r.taskDefinition(taskDefinitionArn)).taskDefinition()
                .containerDefinitions()) {
            // A container is essential unless its definition says otherwise.
            if (definition.essential() == null || definition.essential()) {
                names.add(definition.name());
            }
        }
        return names;
    }

    @Override
    public Map<String, State> describe(List<String> taskArns) {
        Map<String, State> states = new LinkedHashMap<>();
        for (int from = 0; from < taskArns.size(); from += BATCH) {
            List<String> batch = taskArns.subList(from, Math.min(taskArns.size(), from + BATCH));
            DescribeTasksResponse response = ecs.describeTasks(r -> r.cluster(cluster).tasks(batch));
            for (Task task : response.tasks()) {
                StoppedTask state = stoppedTask(task);
                states.put(task.taskArn(), state.stopped() ? new Stopped(state) : new Live(state));
            }
        }
        for (String arn : taskArns) {
            states.putIfAbsent(arn, new Missing());
        }
        return states;
    }

    /** A task as DescribeTasks tells it, in the shape the verdict reads. */
    static StoppedTask stoppedTask(Task task) {
        List<StoppedTask.Container> containers = new ArrayList<>();
        for (Container container : task.containers()) {
            containers.add(new StoppedTask.Container(container.name(), container.exitCode(), container.reason(), container.lastStatus()));
        }
        return new StoppedTask(task.taskArn(), task.clusterArn(), task.group(), task.startedBy(), task.taskDefinitionArn(),
                task.lastStatus(), task.stopCodeAsString(), task.stoppedReason(), task.createdAt(), task.startedAt(), task.stoppedAt(),
                task.version() == null ? -1 : task.version(), containers);
    }
}
