package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ecsmigrate.testing.ActionRunner;
import dev.ecsmigrate.testing.Readme;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the GitHub Actions example true: to the action it uses, to the order a safe deploy needs (one
 * registered revision, migrated and then deployed), to GitHub's injection rules, and to the README, which
 * must name every variable it needs and a deploy-role policy that allows every call it makes.
 */
class WorkflowExampleTest {

    private static final Path WORKFLOW = Path.of(".github/workflows/deploy-example.yml");
    private static final String ACTION_REF = "ecs-migration-runner/ecs-migration-runner@v2";
    private static final Path BUILDSPEC = Path.of("examples/buildspec.yml");

    /** The IAM actions each third-party action in the example calls, from their documentation. */
    private static final Map<String, List<String>> ACTION_PERMISSIONS = Map.of(
            "aws-actions/configure-aws-credentials", List.of(),
            "aws-actions/amazon-ecr-login", List.of("ecr:GetAuthorizationToken"),
            "aws-actions/amazon-ecs-render-task-definition", List.of(),
            "aws-actions/amazon-ecs-deploy-task-definition", List.of("ecs:RegisterTaskDefinition", "iam:PassRole"),
            "actions/checkout", List.of());
    /** What `docker push` to ECR needs. */
    private static final List<String> DOCKER_PUSH = List.of("ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
            "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage");

    private static JsonNode workflow() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(WORKFLOW.toFile());
    }

    private static List<JsonNode> steps() throws Exception {
        List<JsonNode> steps = new ArrayList<>();
        workflow().path("jobs").path("deploy").path("steps").forEach(steps::add);
        return steps;
    }

    private static JsonNode step(String name) throws Exception {
        return steps().stream().filter(s -> s.path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no step named " + name));
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
    void migrateStep_isTheAction_withOnlyItsInputs_andEveryRequiredOne() throws Exception {
        JsonNode migrate = step("Run the database migration");
        JsonNode inputs = ActionRunner.action().path("inputs");

        assertThat(migrate.path("uses").asText()).isEqualTo(ACTION_REF);
        migrate.path("with").forEachEntry((name, value) -> assertThat(inputs.has(name)).as("action input " + name).isTrue());
        inputs.forEachEntry((name, input) -> {
            if (input.path("required").asBoolean(false)) {
                assertThat(migrate.path("with").has(name)).as("required input " + name).isTrue();
            }
        });
    }

    /** The migration runs revision N and the service gets revision N: one registration, one ARN for both. */
    @Test
    void oneRevision_isRegisteredOnce_migrated_andDeployed() throws Exception {
        List<JsonNode> steps = steps();
        List<JsonNode> registering = steps.stream().filter(s -> s.path("uses").asText().startsWith("aws-actions/amazon-ecs-deploy-task-definition@")
                || s.path("run").asText().contains("register-task-definition")).toList();
        assertThat(registering).as("steps that register a task definition").hasSize(1);
        JsonNode register = registering.getFirst();
        assertThat(register.path("with").has("service")).as("with a service, the action would deploy too").isFalse();
        String registered = "${{ steps." + register.path("id").asText() + ".outputs.task-definition-arn }}";

        JsonNode migrate = step("Run the database migration");
        JsonNode deploy = step("Deploy the same revision");
        assertThat(migrate.path("with").path("task-definition").asText()).isEqualTo(registered);
        assertThat(deploy.path("env").path("TASK_DEFINITION").asText()).isEqualTo(registered);
        assertThat(deploy.path("run").asText()).contains("aws ecs update-service", "--task-definition \"$TASK_DEFINITION\"");

        assertThat(steps.indexOf(register)).isLessThan(steps.indexOf(migrate));
        assertThat(steps.indexOf(migrate)).isLessThan(steps.indexOf(deploy));
        assertThat(deploy.path("if").asText("success()")).isEqualTo("success()");
        assertThat(steps.subList(steps.indexOf(register), steps.size())).noneMatch(s -> s.path("continue-on-error").asBoolean(false));
    }

    /** GitHub's hardening guide: a value pasted into a script is an injection hole; values reach scripts through env. */
    @Test
    void noRunBlock_interpolatesAnExpression() throws Exception {
        assertThat(steps()).allSatisfy(step -> assertThat(step.path("run").asText()).as(step.path("name").asText()).doesNotContain("${{"));
    }

    /** Every variable a run block reads is set by the workflow, the step, an earlier step, or the runner. */
    @Test
    void everyVariableARunBlockReads_isDefined() throws Exception {
        Set<String> defined = new TreeSet<>();
        workflow().path("env").fieldNames().forEachRemaining(defined::add);
        workflow().path("jobs").path("deploy").path("env").fieldNames().forEachRemaining(defined::add);
        for (JsonNode step : steps()) {
            Set<String> visible = new TreeSet<>(defined);
            step.path("env").fieldNames().forEachRemaining(visible::add);
            String run = step.path("run").asText();
            Set<String> assigned = new TreeSet<>();
            Matcher assignment = Pattern.compile("(?m)(?:^|\\s)([a-z_][a-z0-9_]*)=").matcher(run);
            while (assignment.find()) {
                assigned.add(assignment.group(1));
            }
            Matcher read = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)").matcher(run);
            while (read.find()) {
                String name = read.group(1);
                assertThat(visible.contains(name) || assigned.contains(name) || name.startsWith("GITHUB_"))
                        .as("step '%s' reads $%s", step.path("name").asText(), name).isTrue();
            }
        }
    }

    /** A user who copies the example learns from the README what to set: every env: variable and vars.* value. */
    @Test
    void readme_namesEveryVariableTheExampleNeeds() throws Exception {
        String readme = Readme.text();
        List<String> needed = new ArrayList<>();
        workflow().path("env").fieldNames().forEachRemaining(needed::add);
        Matcher vars = Pattern.compile("\\$\\{\\{ vars\\.([A-Z_]+) }}").matcher(Files.readString(WORKFLOW));
        while (vars.find()) {
            needed.add(vars.group(1));
        }
        assertThat(needed).contains("DEPLOY_ROLE_ARN", "RUNNER_FUNCTION");
        assertThat(needed).allSatisfy(name -> assertThat(readme).as("README names " + name).contains("`" + name + "`"));
    }

    /**
     * The README's deploy-role policy allows every call the example makes: the aws CLI calls of its run
     * blocks, the calls of the actions it uses, and the calls of the migration scripts the action runs.
     */
    @Test
    void readmePolicy_allowsEveryCallTheExampleMakes() throws Exception {
        Set<String> allowed = Readme.deployRolePolicyActions();
        Set<String> needed = new TreeSet<>(DOCKER_PUSH);
        for (JsonNode step : steps()) {
            String uses = step.path("uses").asText();
            if (uses.equals(ACTION_REF)) {
                needed.addAll(scriptCalls());
            } else if (!uses.isEmpty()) {
                String action = uses.substring(0, uses.indexOf('@'));
                assertThat(ACTION_PERMISSIONS).as("the permissions of " + action + " are known to this test").containsKey(action);
                needed.addAll(ACTION_PERMISSIONS.get(action));
            }
            needed.addAll(cliCalls(step.path("run").asText()));
        }

        assertThat(needed).contains("events:PutEvents", "ecs:UpdateService", "dynamodb:GetItem", "logs:GetLogEvents");
        assertThat(allowed).containsAll(needed);
        assertThat(allowed).as("nothing the example does not need").containsExactlyInAnyOrderElementsOf(needed);
    }

    /** The CodeBuild example runs under the same policy: its service role needs nothing the README leaves out. */
    @Test
    void readmePolicy_allowsEveryCallTheBuildspecMakes() throws Exception {
        JsonNode buildspec = new ObjectMapper(new YAMLFactory()).readTree(BUILDSPEC.toFile());
        Set<String> needed = new TreeSet<>(DOCKER_PUSH);
        for (String phase : List.of("install", "pre_build", "build", "post_build")) {
            for (JsonNode command : buildspec.path("phases").path(phase).path("commands")) {
                needed.addAll(cliCalls(command.asText()));
                if (command.asText().contains("scripts/migrate.sh")) {
                    needed.addAll(scriptCalls());
                }
            }
        }

        assertThat(needed).contains("ecr:GetAuthorizationToken", "ecs:RegisterTaskDefinition", "events:PutEvents");
        assertThat(Readme.deployRolePolicyActions()).containsAll(needed);
    }

    /** The README shows the buildspec as it is in examples/, where the CodeBuild test runs it. */
    @Test
    void readme_showsTheBuildspecVerbatim() throws Exception {
        assertThat(Readme.block("buildspec")).isEqualTo(Files.readString(BUILDSPEC));
    }

    /** The IAM actions of the pipeline scripts: every `aws_call SERVICE COMMAND` and `aws SERVICE COMMAND` in them. */
    private static Set<String> scriptCalls() throws Exception {
        Set<String> calls = new TreeSet<>();
        for (String script : List.of("put-migration-event.sh", "wait-for-migration.sh", "migrate.sh", "lib/common.sh")) {
            for (String line : Files.readAllLines(Path.of("scripts", script))) {
                // Advice printed to the user ("check with aws ecs list-task-definitions") is not a call.
                if (line.strip().startsWith("#") || line.matches("\\s*(printf|echo|log|warn|usage_error)\\b.*")) {
                    continue;
                }
                calls.addAll(cliCalls(line.replaceAll("aws_call ", "aws ").replaceAll("args=\\((logs [a-z-]+)", "aws $1")));
            }
        }
        return calls;
    }

    /** CLI commands whose IAM action is not their own name. */
    private static final Map<String, String> CLI_ACTIONS = Map.of(
            "ecr:GetLoginPassword", "ecr:GetAuthorizationToken",
            "ecs:Wait:services-stable", "ecs:DescribeServices",
            "ecs:Wait:tasks-stopped", "ecs:DescribeTasks");

    private static Set<String> cliCalls(String text) {
        Set<String> calls = new TreeSet<>();
        Matcher call = Pattern.compile("\\baws ([a-z0-9]+) ([a-z][a-z0-9-]+)(?: ([a-z][a-z0-9-]+))?").matcher(text);
        while (call.find()) {
            String service = call.group(1);
            if (service.equals("configure")) {
                continue;   // reads the CLI's own configuration, no API call
            }
            String operation = Stream.of(call.group(2).split("-")).map(w -> Character.toUpperCase(w.charAt(0)) + w.substring(1))
                    .reduce("", String::concat);
            String action = service + ":" + operation + (operation.equals("Wait") ? ":" + call.group(3) : "");
            assertThat(!operation.equals("Wait") || CLI_ACTIONS.containsKey(action)).as("the waiter " + action + " is known").isTrue();
            calls.add(CLI_ACTIONS.getOrDefault(action, action));
        }
        return calls;
    }
}
