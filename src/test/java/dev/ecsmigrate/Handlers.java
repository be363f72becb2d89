package dev.ecsmigrate;

import dev.ecsmigrate.testing.MotoServer;

import java.util.Map;

/** Handlers wired as Lambda wires them, from an environment, with the test's dummy credentials. */
final class Handlers {

    private Handlers() {
    }

    static MigrationHandler trigger(Map<String, String> env) {
        return Wiring.trigger(env, MotoServer.CREDENTIALS).handler();
    }
}
