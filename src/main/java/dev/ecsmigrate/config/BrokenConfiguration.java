package dev.ecsmigrate.config;

import java.util.List;

/**
 * A configuration that cannot run a migration. Every event is rejected with {@link #reason()}; the status
 * still reaches the status bus and the run records when the region, the bus and the table are known, so
 * the pipeline learns why at once.
 *
 * @param problems   each problem, naming its variable
 * @param publishing where the rejections can still be published
 * @param recording  where the rejections can still be recorded
 */
public record BrokenConfiguration(List<String> problems, Publishing publishing, Recording recording) implements Configuration {

    public BrokenConfiguration {
        problems = List.copyOf(problems);
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a broken configuration names at least one problem");
        }
    }

    /** The reason every event is rejected with. */
    public String reason() {
        return "invalid configuration: " + String.join("; ", problems);
    }

    /** Where rejections go when the configuration is broken. */
    public sealed interface Publishing permits ToBus, Nowhere {
    }

    /** The region, endpoint and status bus are usable: publish there. */
    public record ToBus(RunnerConfig.Home home, RunnerConfig.Buses buses) implements Publishing {
    }

    /** Nothing to publish to; the status is logged only. */
    public record Nowhere(String why) implements Publishing {
    }

    /** Where rejections are recorded when the configuration is broken. */
    public sealed interface Recording permits ToTable, NotRecorded {
    }

    /** The region, endpoint and table are usable: record the rejections there. */
    public record ToTable(RunnerConfig.Home home, RunnerConfig.Table table) implements Recording {
    }

    /** No usable table: rejections are logged and published only. */
    public record NotRecorded(String why) implements Recording {
    }
}
