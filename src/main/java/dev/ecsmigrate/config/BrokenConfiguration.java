package dev.ecsmigrate.config;

import java.util.List;

/**
 * A configuration that cannot run a migration. Every event is rejected with {@link #reason()}; the status
 * still reaches the status bus when the region and the bus are known, so the pipeline learns why at once.
 *
 * @param problems   each problem, naming its variable
 * @param publishing where the rejections can still be published
 */
public record BrokenConfiguration(List<String> problems, Publishing publishing) implements Configuration {

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
}
