package dev.ecsmigrate.config;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the function's environment variables amount to: a {@link RunnerConfig} that can run migrations, or a
 * {@link BrokenConfiguration} that names every problem, each by variable name.
 */
public sealed interface Configuration permits RunnerConfig, BrokenConfiguration {

    /** Reads and validates the environment once. Never throws: every problem ends up in the result. */
    static Configuration read(Map<String, String> variables) {
        return read(new Environment(variables));
    }

    /** The name of every environment variable the function reads; the README's configuration table lists them. */
    static Set<String> variables() {
        Environment env = new Environment(Map.of());
        read(env);
        return new TreeSet<>(env.names());
    }

    private static Configuration read(Environment env) {
        RunnerConfig.Home home = RunnerConfig.Home.read(env);
        String accountId = RunnerConfig.readAccount(env);
        RunnerConfig.Buses buses = RunnerConfig.Buses.read(env, home, accountId);
        RunnerConfig.Table table = RunnerConfig.Table.read(env, home, accountId);
        RunnerConfig config = RunnerConfig.read(env, home, buses, table, accountId);
        if (env.problems().isEmpty()) {
            return config;
        }
        BrokenConfiguration.Publishing publishing = home != null && buses != null
                ? new BrokenConfiguration.ToBus(home, buses)
                : new BrokenConfiguration.Nowhere(home == null
                        ? "the region or an endpoint is not usable, so the status is only logged"
                        : "STATUS_EVENT_BUS is not usable, so the status is only logged");
        BrokenConfiguration.Recording recording = home != null && table != null
                ? new BrokenConfiguration.ToTable(home, table)
                : new BrokenConfiguration.NotRecorded(home == null
                        ? "the region or an endpoint is not usable"
                        : "the table settings are not usable");
        return new BrokenConfiguration(env.problems(), publishing, recording);
    }
}
