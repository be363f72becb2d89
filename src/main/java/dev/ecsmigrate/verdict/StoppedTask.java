package dev.ecsmigrate.verdict;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An ECS task as an {@code ECS Task State Change} event or DescribeTasks tells it, with only what the verdict
 * and the run record need.
 *
 * @param version the event's {@code detail.version}, which grows with every change of the task; -1 when unknown
 */
public record StoppedTask(
        String taskArn,
        String clusterArn,
        String group,
        String startedBy,
        String taskDefinitionArn,
        String lastStatus,
        String stopCode,
        String stoppedReason,
        Instant createdAt,
        Instant startedAt,
        Instant stoppedAt,
        long version,
        List<Container> containers) {

    /** One container of the task; {@code exitCode} is null when it has none. */
    public record Container(String name, Integer exitCode, String reason, String lastStatus) {
    }

    public StoppedTask {
        containers = containers == null ? List.of() : List.copyOf(containers);
    }

    public boolean stopped() {
        return "STOPPED".equals(lastStatus);
    }

    public Optional<Container> container(String name) {
        return containers.stream().filter(c -> c.name() != null && c.name().equals(name)).findFirst();
    }
}
