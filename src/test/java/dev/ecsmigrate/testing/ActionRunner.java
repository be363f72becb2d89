package dev.ecsmigrate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs action.yml's composite steps the way the GitHub Actions runner does: each {@code run:} script is
 * written to a file and run with the step's shell ({@code bash --noprofile --norc -eo pipefail FILE} for
 * {@code shell: bash}), with {@code GITHUB_ACTION_PATH}, {@code GITHUB_OUTPUT} and {@code GITHUB_STEP_SUMMARY}
 * set and the step's {@code env:} evaluated from the inputs (defaults from action.yml). The action's outputs
 * are then evaluated from what the steps wrote to {@code GITHUB_OUTPUT}. Only the expressions the action
 * may use are understood; any other fails the test.
 */
public final class ActionRunner {

    public static final Path ACTION = Path.of("action.yml");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{\\{\\s*([^}]*?)\\s*}}");

    /** What a run came to: the last step's process, the action's outputs, and the files it wrote. */
    public record Run(Script script, Map<String, String> outputs, Path output, Path summary) {

        public String summaryText() {
            try {
                return Files.exists(summary) ? Files.readString(summary) : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private ActionRunner() {
    }

    public static JsonNode action() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(ACTION.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the action's single step (the action has one) with these inputs and the given base environment;
     * {@link #finish} waits for it and reads the outputs.
     */
    public static Started start(Map<String, String> inputs, Map<String, String> environment, Path workDir) {
        JsonNode action = action();
        List<JsonNode> steps = action.path("runs").path("steps").valueStream().toList();
        if (steps.size() != 1) {
            throw new AssertionError("ActionRunner runs a composite action of one step; action.yml has " + steps.size());
        }
        JsonNode step = steps.getFirst();
        Map<String, String> values = new LinkedHashMap<>();
        action.path("inputs").forEachEntry((name, input) -> values.put(name, input.path("default").asText("")));
        inputs.forEach((name, value) -> {
            if (!values.containsKey(name)) {
                throw new AssertionError("action.yml has no input " + name);
            }
            values.put(name, value);
        });
        action.path("inputs").forEachEntry((name, input) -> {
            if (input.path("required").asBoolean(false) && values.get(name).isEmpty()) {
                throw new AssertionError("the test gives no value for the required input " + name);
            }
        });
        try {
            Path output = Files.createFile(workDir.resolve("github_output"));
            Path summary = Files.createFile(workDir.resolve("github_step_summary"));
            Path script = workDir.resolve("step.sh");
            Files.writeString(script, step.path("run").asText());
            Map<String, String> env = new LinkedHashMap<>(environment);
            env.put("GITHUB_ACTIONS", "true");
            env.put("CI", "true");
            env.put("GITHUB_ACTION_PATH", Path.of("").toAbsolutePath().toString());
            env.put("GITHUB_OUTPUT", output.toString());
            env.put("GITHUB_STEP_SUMMARY", summary.toString());
            step.path("env").forEachEntry((name, value) -> env.put(name, evaluate(value.asText(), values, Map.of())));
            String shell = step.path("shell").asText();
            if (!shell.equals("bash")) {
                throw new AssertionError("ActionRunner knows the runner's command line for shell: bash only, not " + shell);
            }
            return new Started(Script.startCommand(List.of("bash", "--noprofile", "--norc", "-eo", "pipefail", script.toString()), env),
                    step.path("id").asText(), output, summary);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A running step. */
    public record Started(Script script, String stepId, Path output, Path summary) {

        /** Waits for the step, then evaluates the action's outputs. */
        public Run finish(java.time.Duration limit) {
            script.exitCode(limit);
            Map<String, String> stepOutputs = readOutputs(output);
            Map<String, String> outputs = new LinkedHashMap<>();
            action().path("outputs").forEachEntry((name, declared) ->
                    outputs.put(name, evaluate(declared.path("value").asText(), Map.of(), Map.of(stepId, stepOutputs))));
            return new Run(script, outputs, output, summary);
        }
    }

    /** GITHUB_OUTPUT's name=value lines and name<<DELIMITER blocks; a later value for a name wins. */
    static Map<String, String> readOutputs(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            Map<String, String> outputs = new LinkedHashMap<>();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                int heredoc = line.indexOf("<<");
                int equals = line.indexOf('=');
                if (heredoc > 0 && (equals < 0 || heredoc < equals)) {
                    String delimiter = line.substring(heredoc + 2);
                    StringBuilder value = new StringBuilder();
                    for (i++; i < lines.size() && !lines.get(i).equals(delimiter); i++) {
                        value.append(value.isEmpty() ? "" : "\n").append(lines.get(i));
                    }
                    outputs.put(line.substring(0, heredoc), value.toString());
                } else if (equals > 0) {
                    outputs.put(line.substring(0, equals), line.substring(equals + 1));
                }
            }
            return outputs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Evaluates the ${{ }} expressions the action uses: inputs.NAME and steps.ID.outputs.NAME, nothing else. */
    static String evaluate(String text, Map<String, String> inputs, Map<String, Map<String, String>> steps) {
        Matcher expression = EXPRESSION.matcher(text);
        StringBuilder out = new StringBuilder();
        while (expression.find()) {
            String path = expression.group(1);
            String value;
            if (path.startsWith("inputs.") && inputs.containsKey(path.substring("inputs.".length()))) {
                value = inputs.get(path.substring("inputs.".length()));
            } else if (path.matches("steps\\.[\\w-]+\\.outputs\\.[\\w-]+") && steps.containsKey(path.split("\\.")[1])) {
                value = steps.get(path.split("\\.")[1]).getOrDefault(path.split("\\.")[3], "");
            } else {
                throw new AssertionError("ActionRunner does not understand the expression ${{ " + path + " }}");
            }
            expression.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return expression.appendTail(out).toString();
    }
}
