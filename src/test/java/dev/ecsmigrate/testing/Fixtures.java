package dev.ecsmigrate.testing;

import dev.ecsmigrate.config.BrokenConfiguration;
import dev.ecsmigrate.config.Configuration;
import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.start.EventValidator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Shared test data: the sample events users send and a base configuration. */
public final class Fixtures {

    public static final String TASK_DEFINITION = "arn:aws:ecs:us-east-1:123456789012:task-definition/app:42";

    private Fixtures() {
    }

    /** The bytes of a file in events/, exactly as users send it. */
    public static byte[] event(String name) {
        try {
            return Files.readAllBytes(Path.of("events", name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A valid configuration with explicit network settings; tests change entries as they need. */
    public static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", "us-east-1");
        env.put("ACCOUNT_ID", "123456789012");
        env.put("CLUSTER", "migrations");
        env.put("SUBNETS", "subnet-0123456789abcdef0,subnet-0fedcba9876543210");
        env.put("SECURITY_GROUPS", "sg-0123456789abcdef0");
        env.put("ASSIGN_PUBLIC_IP", "DISABLED");
        env.put("CONTAINER_NAME", "app");
        env.put("MIGRATION_COMMAND", "[\"alembic\",\"upgrade\",\"head\"]");
        env.put("ALLOWED_FAMILIES", "app,api");
        env.put("TABLE_NAME", "migrations");
        return env;
    }

    public static RunnerConfig config() {
        return config(env());
    }

    /** The configuration read from {@code env}, which the test expects to be valid. */
    public static RunnerConfig config(Map<String, String> env) {
        return switch (Configuration.read(env)) {
            case RunnerConfig config -> config;
            case BrokenConfiguration broken -> throw new AssertionError("expected a valid configuration: " + broken.reason());
        };
    }

    /** The configuration read from {@code env}, which the test expects to be broken. */
    public static BrokenConfiguration broken(Map<String, String> env) {
        return switch (Configuration.read(env)) {
            case RunnerConfig config -> throw new AssertionError("expected a broken configuration: " + config);
            case BrokenConfiguration broken -> broken;
        };
    }

    public static EventValidator validator(RunnerConfig config) {
        return new EventValidator(config);
    }

    /** A value short enough for an assertion's label. */
    public static String shortened(String text) {
        return text.length() > 120 ? text.substring(0, 117) + "..." : text;
    }

    public static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> copy = new HashMap<>(env);
        if (value == null) {
            copy.remove(key);
        } else {
            copy.put(key, value);
        }
        return copy;
    }
}
