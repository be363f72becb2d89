package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ecsmigrate.testing.Script;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the GitHub Actions example true to the scripts it calls and to the order a safe deploy needs. */
class WorkflowExampleTest {

    private static final Path WORKFLOW = Path.of(".github/workflows/deploy-example.yml");

    private static JsonNode workflow() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(WORKFLOW.toFile());
    }

    private static List<JsonNode> steps() throws Exception {
        List<JsonNode> steps = new ArrayList<>();
        workflow().path("jobs").path("deploy").path("steps").forEach(steps::add);
        return steps;
    }

    @Test
    void workflow_assumesARoleThroughOidc() throws Exception {
        JsonNode workflow = workflow();
        assertThat(workflow.path("permissions").path("id-token").asText()).isEqualTo("write");
        assertThat(steps()).anySatisfy(step -> {
            assertThat(step.path("uses").asText()).startsWith("aws-actions/configure-aws-credentials@");
            assertThat(step.path("with").has("role-to-assume")).isTrue();
            assertThat(step.path("with").has("aws-access-key-id")).isFalse();
        });
    }

    @Test
    void migrateStep_usesOnlyFlagsThatMigrateShAccepts() throws Exception {
        String run = steps().stream().filter(s -> s.path("run").asText().contains("scripts/migrate.sh")).findFirst()
                .orElseThrow(() -> new AssertionError("no step runs scripts/migrate.sh")).path("run").asText();
        String help = Script.run("migrate.sh", Script.baseEnvironment(), "--help").output();

        Matcher flags = Pattern.compile("(--[a-z-]+)").matcher(run);
        List<String> used = new ArrayList<>();
        while (flags.find()) {
            used.add(flags.group(1));
        }
        assertThat(used).contains("--task-definition", "--cluster");
        assertThat(used).allSatisfy(flag -> assertThat(help).contains(flag));
    }

    @Test
    void serviceDeploy_comesAfterTheMigrationAndOnlyOnSuccess() throws Exception {
        List<JsonNode> steps = steps();
        int migrate = indexOf(steps, "scripts/migrate.sh");
        int deploy = indexOf(steps, "amazon-ecs-deploy-task-definition");
        assertThat(migrate).isNotNegative();
        assertThat(deploy).isGreaterThan(migrate);
        assertThat(steps.get(deploy).path("if").asText("success()")).isEqualTo("success()");
        assertThat(steps.subList(migrate + 1, steps.size())).noneMatch(s -> s.path("continue-on-error").asBoolean(false));
        assertThat(steps.get(migrate).path("continue-on-error").asBoolean(false)).isFalse();
    }

    private static int indexOf(List<JsonNode> steps, String text) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).toString().contains(text)) {
                return i;
            }
        }
        return -1;
    }
}
