package dev.ecsmigrate;

import dev.ecsmigrate.complete.Completer;
import dev.ecsmigrate.metrics.Metrics;
import dev.ecsmigrate.testing.MotoServer;

import java.time.Clock;
import java.util.Map;

/**
 * Handlers wired as Lambda wires them, from an environment, with the test's dummy credentials. Their metrics
 * go to the given sink (none by default), not to standard output, so that thousands of events do not flood
 * the test reports.
 */
final class Handlers {

    private Handlers() {
    }

    static MigrationHandler trigger(Map<String, String> env) {
        return trigger(env, Metrics.NONE);
    }

    static MigrationHandler trigger(Map<String, String> env, Metrics metrics) {
        Wiring.Trigger parts = Wiring.trigger(env, MotoServer.CREDENTIALS);
        return new MigrationHandler(parts.starter(), parts.publisher(), metrics);
    }

    static CompletionHandler completion(Map<String, String> env, Metrics metrics) {
        return new CompletionHandler(completer(env, metrics));
    }

    static Completer completer(Map<String, String> env, Metrics metrics) {
        return CompletionWiring.completer(env, MotoServer.CREDENTIALS, metrics);
    }

    /** The deployment hook, on a clock of the test's choosing. */
    static DeploymentHookHandler hook(Map<String, String> env, Metrics metrics, Clock clock) {
        return new DeploymentHookHandler(HookWiring.hook(env, MotoServer.CREDENTIALS, metrics, clock));
    }

    /** The completion path on another clock, to see what a later sweep does. */
    static CompletionHandler completion(Map<String, String> env, Metrics metrics, Clock clock) {
        return new CompletionHandler(CompletionWiring.completer(env, MotoServer.CREDENTIALS, metrics, clock));
    }
}
