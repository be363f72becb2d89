package dev.ecsmigrate.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of scripts/ as a user would: a real bash process calling the real aws CLI, with a clean
 * environment (nothing from the machine's AWS or GitHub settings leaks in).
 */
public final class Script {

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private Script(Process process) {
        this.process = process;
        this.reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The environment every script run starts from: PATH and HOME only, plus what the test adds. */
    public static Map<String, String> baseEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", System.getProperty("java.io.tmpdir"));
        env.put("LANG", "C.UTF-8");
        env.put("AWS_CONFIG_FILE", "/dev/null");
        env.put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        return env;
    }

    public static Script start(String name, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(Path.of("scripts", name).toString());
        command.addAll(List.of(args));
        return startCommand(command, env);
    }

    /** Starts any command line with exactly this environment. */
    public static Script startCommand(List<String> command, Map<String, String> env) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        try {
            return new Script(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs to the end and returns the exit code. */
    public static Script run(String name, Map<String, String> env, String... args) {
        Script script = start(name, env, args);
        script.exitCode(Duration.ofSeconds(120));
        return script;
    }

    public int exitCode(Duration limit) {
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("script did not finish within " + limit + "; output so far:\n" + output());
            }
            reader.join(Duration.ofSeconds(5));
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int exitCode() {
        return exitCode(Duration.ofSeconds(120));
    }

    /** Waits until some output line contains the text. */
    public void awaitLine(String text, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (output().contains(text)) {
                return;
            }
            if (!process.isAlive() && !reader.isAlive()) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("no line containing '" + text + "' within " + limit + "; output:\n" + output());
    }

    /**
     * SIGTERM, as a cancelled CI job sends. Sent with kill(1): Process.destroy() would also close the
     * pipes, and the script's last lines would die of SIGPIPE before the test could read them.
     */
    public void terminate() {
        signal("TERM");
    }

    /** Sends a signal (INT, TERM, KILL) to the script's process only, as the GitHub runner does. */
    public void signal(String name) {
        try {
            new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    public String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    public String lastLine() {
        synchronized (lines) {
            return lines.isEmpty() ? "" : lines.getLast();
        }
    }
}
