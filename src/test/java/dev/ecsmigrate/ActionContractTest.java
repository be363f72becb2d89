package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsmigrate.testing.ActionRunner;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** action.yml against CONTRACT.md section 7: its inputs, their defaults, its outputs, and how inputs reach the shell. */
class ActionContractTest {

    /** The contract's inputs and their defaults (null: required; "" : none, the scripts decide). */
    private static final Map<String, String> CONTRACT_INPUTS = new LinkedHashMap<>();
    private static final List<String> CONTRACT_OUTPUTS = List.of("result", "exit-code", "task-arn", "correlation-id");

    static {
        CONTRACT_INPUTS.put("task-definition", null);
        CONTRACT_INPUTS.put("cluster", null);
        CONTRACT_INPUTS.put("function-name", "");
        CONTRACT_INPUTS.put("container", "");
        CONTRACT_INPUTS.put("timeout", "3600");
        CONTRACT_INPUTS.put("start-timeout", "300");
        CONTRACT_INPUTS.put("interval", "6");
        CONTRACT_INPUTS.put("event-bus", "default");
        CONTRACT_INPUTS.put("correlation-id", "");
        CONTRACT_INPUTS.put("dry-run", "false");
        CONTRACT_INPUTS.put("stop-on-cancel", "true");
        CONTRACT_INPUTS.put("logs", "true");
    }

    /** Inputs beyond the contract, each with the reason it exists. */
    private static final Map<String, String> EXTRA_INPUTS = Map.of(
            "table", "the run records' table, for jobs that may not read the function's configuration");

    private final JsonNode action = ActionRunner.action();

    @Test
    void inputs_areTheContractsWithItsDefaults() {
        Map<String, String> declared = new LinkedHashMap<>();
        action.path("inputs").forEachEntry((name, input) -> {
            assertThat(input.path("description").asText()).as("input %s has a description", name).isNotBlank();
            declared.put(name, input.path("required").asBoolean(false) ? null : input.path("default").asText(""));
        });

        CONTRACT_INPUTS.forEach((name, value) -> assertThat(declared).as("input " + name).containsEntry(name, value));
        assertThat(declared.keySet()).containsExactlyInAnyOrderElementsOf(concat(CONTRACT_INPUTS.keySet(), EXTRA_INPUTS.keySet()));
    }

    @Test
    void outputs_areTheContractsFromTheStepsOutputs() {
        List<String> declared = new ArrayList<>();
        action.path("outputs").forEachEntry((name, output) -> {
            declared.add(name);
            assertThat(output.path("value").asText()).as("output %s", name)
                    .isEqualTo("${{ steps.migrate.outputs." + name.replace('-', '_') + " }}");
        });

        assertThat(declared).containsExactlyElementsOf(CONTRACT_OUTPUTS);
    }

    /** GitHub's hardening guide: an input pasted into a script is a script-injection hole; inputs go through env. */
    @Test
    void noRunBlock_interpolatesAnExpression_andEveryInputReachesTheStepThroughEnv() {
        List<String> viaEnv = new ArrayList<>();
        for (JsonNode step : action.path("runs").path("steps")) {
            assertThat(step.path("run").asText()).as("step %s's run: block", step.path("id").asText()).doesNotContain("${{");
            step.path("env").forEachEntry((name, value) -> {
                assertThat(value.asText()).as("env %s", name).matches(Pattern.compile("\\$\\{\\{ inputs\\.[a-z-]+ }}"));
                viaEnv.add(value.asText().replaceAll("\\$\\{\\{ inputs\\.([a-z-]+) }}", "$1"));
            });
        }
        assertThat(viaEnv).containsExactlyInAnyOrderElementsOf(concat(CONTRACT_INPUTS.keySet(), EXTRA_INPUTS.keySet()));
    }

    @Test
    void theStep_runsTheScriptsFromTheActionsOwnFolder_asTheSignalledProcess() {
        assertThat(action.path("runs").path("using").asText()).isEqualTo("composite");
        JsonNode step = action.path("runs").path("steps").get(0);
        assertThat(step.path("shell").asText()).isEqualTo("bash");
        assertThat(step.path("run").asText().strip()).isEqualTo("exec \"$GITHUB_ACTION_PATH/scripts/migrate.sh\"");
    }

    private static List<String> concat(java.util.Collection<String> a, java.util.Collection<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
