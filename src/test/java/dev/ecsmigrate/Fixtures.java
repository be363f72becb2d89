package dev.ecsmigrate;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Shared test data: the sample events users send and a base configuration. */
final class Fixtures {

    static final String TASK_DEFINITION = "arn:aws:ecs:us-east-1:123456789012:task-definition/app:42";

    private Fixtures() {
    }

    /** The bytes of a file in events/, exactly as users send it. */
    static byte[] event(String name) {
        try {
            return Files.readAllBytes(Path.of("events", name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A valid configuration with explicit network settings; tests change entries as they need. */
    static Map<String, String> env() {
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
        return env;
    }

    static RunnerConfig config() {
        return RunnerConfig.fromEnvironment(env());
    }

    static EventValidator validator(RunnerConfig config) {
        return new EventValidator(config.region(), config.accountId(), config.allowedFamilies());
    }

    static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> copy = new HashMap<>(env);
        if (value == null) {
            copy.remove(key);
        } else {
            copy.put(key, value);
        }
        return copy;
    }
}
