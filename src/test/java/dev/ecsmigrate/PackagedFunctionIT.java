package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecsmigrate.testing.MotoWorld;
import dev.ecsmigrate.testing.SampleEvents;
import dev.ecsmigrate.testing.Script;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged function, run by scripts/local-invoke.sh through the Lambda Runtime Interface Emulator and
 * the Java runtime interface client on the sample events, as a user would: proves the handler string, the
 * packaging, the runtime loop and the JSON on the wire, and that the function gets only what the template
 * gives it. And the README's main command, scripts/demo.sh, end to end.
 */
class PackagedFunctionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static MotoWorld world;
    private static Path envFile;

    @BeforeAll
    static void setUp(@TempDir Path dir) throws Exception {
        world = new MotoWorld();
        envFile = dir.resolve("env.json");
        Map<String, String> function = world.runnerEnvironment();
        function.remove("AWS_ENDPOINT_URL");
        function.remove("AWS_REGION");
        Files.writeString(envFile, JSON.writeValueAsString(Map.of("MigrationFunction", function)));
        // The sample events name revision 42 of family app; register up to it so RunTask can find it.
        for (int revision = 2; revision <= 42; revision++) {
            world.registerTaskDefinition(MotoWorld.FAMILY);
        }
    }

    @AfterAll
    static void tearDown() {
        world.close();
    }

    private static Map<String, String> callerEnvironment() {
        Map<String, String> env = Script.baseEnvironment();
        env.put("AWS_ENDPOINT_URL", world.moto.endpoint().toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        if (System.getenv("MIGRATION_ARTIFACT") != null) {
            env.put("MIGRATION_ARTIFACT", System.getenv("MIGRATION_ARTIFACT"));
        }
        return env;
    }

    private static Script invoke(String event) {
        return Script.run("local-invoke.sh", callerEnvironment(), "-e", Path.of("events", event).toString(),
                "--env-vars", envFile.toString());
    }

    /** The function's response: the last line of stdout that is a status (the logs are JSON lines too). */
    private static JsonNode status(Script run) throws Exception {
        return JSON.readTree(run.output().lines().filter(l -> l.startsWith("{\"status\"")).reduce((a, b) -> b).orElseThrow(
                () -> new AssertionError("no status in:\n" + run.output())));
    }

    /** Each sample starts from a cluster where no migration runs, as if it were the only event. */
    @BeforeEach
    void stopEveryTask() {
        for (String task : world.ecs.listTasks(r -> r.cluster(MotoWorld.CLUSTER)).taskArns()) {
            world.ecs.stopTask(r -> r.cluster(MotoWorld.CLUSTER).task(task).reason("next sample"));
        }
    }

    static Stream<SampleEvents.Sample> samples() {
        return SampleEvents.envelopes();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void sampleEvent_throughTheLambdaRuntimeLoop_givesItsStatus(SampleEvents.Sample sample) throws Exception {
        Script run = invoke(sample.file());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(status(run).path("status").asText()).isEqualTo(sample.expected());
        // The runtime loop's own lines, as Lambda prints them, and the JSON log format the template sets.
        assertThat(run.output()).containsPattern("(?m)^START RequestId: \\S+ Version: \\$LATEST$")
                .containsPattern("(?m)^END RequestId: \\S+$")
                .containsPattern("(?m)^REPORT RequestId: \\S+\tInit Duration: [0-9.]+ ms\tDuration: [0-9.]+ ms\tBilled Duration: [0-9]+ ms"
                        + "\tMemory Size: 1024 MB")
                .containsPattern("(?m)^\\{\"timestamp\":\"[^\"]+\",\"message\":\"\\{\\\\\"status\\\\\":\\\\\"" + sample.expected() + "\\\\\"")
                .containsPattern("(?m)^local-invoke: [0-9]+ ms from emulator start to response, peak RSS of the runtime [0-9]+ MB");
        assertThat(run.output()).doesNotContain("SLF4J", "WARNING: A restricted method");
        String artifact = System.getenv().getOrDefault("MIGRATION_ARTIFACT", "target/ecs-migration-runner-1.0.0.jar");
        assertThat(run.output()).containsPattern("(?m)^artifact: .*" + java.util.regex.Pattern.quote(artifact) + "$");
    }

    /**
     * The completion function and the deployment hook run through the same runtime loop, each from its own
     * handler string in template.yaml: the sweep answers what it swept, and a hook call an ECS hook status.
     */
    @Test
    void completionAndHookFunctions_runThroughTheLambdaRuntimeLoop(@TempDir Path dir) throws Exception {
        Map<String, String> function = world.runnerEnvironment();
        function.remove("AWS_ENDPOINT_URL");
        function.remove("AWS_REGION");
        Path env = dir.resolve("env.json");
        Files.writeString(env, JSON.writeValueAsString(Map.of("CompletionFunction", function, "DeploymentHookFunction", function)));
        Path sweep = dir.resolve("sweep.json");
        Files.writeString(sweep, """
                {"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event","source":"aws.events",
                 "account":"123456789012","time":"2026-11-24T01:00:00Z","region":"us-east-1",
                 "resources":["arn:aws:events:us-east-1:123456789012:rule/sweep"],"detail":{}}""");
        Path call = dir.resolve("hook.json");
        Files.writeString(call, """
                {"executionId":"f4fcae0f-9bec-41c6-ba87-0eaa0cef8af5","lifecycleStage":"POST_SCALE_UP",
                 "resourceArn":"arn:aws:ecs:us-east-1:123456789012:service-deployment/migrations/web/EZe5RNVLH6PPzHXINuP28",
                 "executionDetails":{"serviceArn":"arn:aws:ecs:us-east-1:123456789012:service/migrations/web",
                  "targetServiceRevisionArn":"arn:aws:ecs:us-east-1:123456789012:service-revision/migrations/web/9313423515462893900",
                  "testTrafficWeights":{},"productionTrafficWeights":{}}}""");

        Script swept = Script.run("local-invoke.sh", callerEnvironment(), "CompletionFunction", "-e", sweep.toString(),
                "--env-vars", env.toString());
        Script hooked = Script.run("local-invoke.sh", callerEnvironment(), "DeploymentHookFunction", "-e", call.toString(),
                "--env-vars", env.toString());

        assertThat(swept.exitCode()).as(swept.output()).isZero();
        // The runs the other tests started are in the table: the sweep completes those whose tasks have stopped.
        assertThat(swept.output()).containsPattern("(?m)^\\{\"outcome\":\"swept\",\"awaiting\":[0-9]+,\"completed\":[0-9]+,");
        assertThat(hooked.exitCode()).as(hooked.output()).isZero();
        // A hook configured at the wrong stage must stop the deployment, not let it through.
        assertThat(hooked.output()).containsPattern("(?m)^\\{\"hookStatus\":\"FAILED\"}$").contains("PRE_SCALE_UP only");
    }

    /**
     * Only what the template defines reaches the function: a variable of the caller's shell that the
     * template also defines (CLUSTER) does not, nor one it does not define (JAVA_TOOL_OPTIONS, which the
     * JVM would announce), while --parameter-overrides and the template's defaults do.
     */
    @Test
    void function_getsOnlyTheTemplatesVariables_neverTheCallersEnvironment(@TempDir Path dir) throws Exception {
        Map<String, String> caller = callerEnvironment();
        caller.put("CLUSTER", MotoWorld.CLUSTER);
        caller.put("ALLOWED_FAMILIES", MotoWorld.FAMILY);
        caller.put("JAVA_TOOL_OPTIONS", "-Dleaked=true");
        Map<String, String> function = world.runnerEnvironment();
        function.remove("AWS_ENDPOINT_URL");
        function.remove("AWS_REGION");
        function.remove("CLUSTER");
        function.remove("ALLOWED_FAMILIES");
        Path partial = dir.resolve("partial.json");
        Files.writeString(partial, JSON.writeValueAsString(Map.of("Parameters", function)));
        // An event of its own: a run of the samples' correlation id would be taken for a redelivery.
        Path event = dir.resolve("event.json");
        Files.write(event, MotoWorld.trigger("0f4c7a52-0a5e-4a4e-9a43-7d1b2f6a9c10", world.taskDefinitionArn, "only-the-template"));

        Script leaked = Script.run("local-invoke.sh", caller, "-e", event.toString(), "--env-vars", partial.toString());

        assertThat(leaked.exitCode()).as(leaked.output()).isZero();
        assertThat(status(leaked).path("status").asText()).isEqualTo("REJECTED");
        assertThat(status(leaked).path("reason").asText()).contains("CLUSTER is not set", "ALLOWED_FAMILIES is not set");
        assertThat(leaked.output()).doesNotContain("Picked up JAVA_TOOL_OPTIONS")
                .contains("note: set these with --env-vars, they are empty here: CLUSTER (parameter ClusterName has no default)");

        Script overridden = Script.run("local-invoke.sh", caller, "MigrationFunction", "--event=" + event,
                "-n", partial.toString(), "--parameter-overrides",
                "ClusterName=" + MotoWorld.CLUSTER + " ParameterKey=AllowedFamilies,ParameterValue=" + MotoWorld.FAMILY);

        assertThat(overridden.exitCode()).as(overridden.output()).isZero();
        assertThat(status(overridden).path("status").asText()).isEqualTo("STARTED");
    }

    /** A handler that throws is reported as Lambda reports it, with exit 1. */
    @Test
    void functionThatThrows_exits1_withLambdasErrorDocument(@TempDir Path dir) throws Exception {
        Map<String, String> caller = callerEnvironment();
        caller.put("AWS_ENDPOINT_URL", "http://127.0.0.1:9");   // the discard port: nothing listens
        Script run = Script.run("local-invoke.sh", caller, "-e", "events/migration.json", "--env-vars", envFile.toString());

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("\"errorType\":\"software.amazon.awssdk.core.exception.SdkClientException\"",
                "error: the function threw software.amazon.awssdk.core.exception.SdkClientException: Unable to execute HTTP request");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("usageErrors")
    void usageError_exits2_beforeAnythingRuns(String why, List<String> args, String message, @TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("list.json"), "[1]");
        Files.writeString(dir.resolve("nested.json"), "{\"MigrationFunction\": {\"CLUSTER\": {\"Ref\": \"X\"}}}");
        List<String> resolved = args.stream().map(a -> a.replace("DIR", dir.toString())).toList();

        Script run = Script.run("local-invoke.sh", Script.baseEnvironment(), resolved.toArray(String[]::new));

        assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
        assertThat(run.output()).contains(message.replace("DIR", dir.toString())).doesNotContain("START RequestId");
    }

    static Stream<Arguments> usageErrors() {
        return Stream.of(
                Arguments.of("no event", List.of(), "an event is required: -e events/migration.json"),
                Arguments.of("missing event file", List.of("-e", "events/no-such-event.json"), "cannot read event file 'events/no-such-event.json'"),
                Arguments.of("flag without value", List.of("-e"), "-e needs a value"),
                Arguments.of("unknown flag", List.of("--env-file", "x"), "unknown argument '--env-file'"),
                Arguments.of("unknown function", List.of("OtherFunction", "-e", "events/migration.json"),
                        "'OtherFunction' is not a function of"),
                Arguments.of("unknown parameter", List.of("-e", "events/migration.json", "--parameter-overrides", "Cluster=x"),
                        "the template has no parameter 'Cluster'"),
                Arguments.of("override without value", List.of("-e", "events/migration.json", "--parameter-overrides", "ClusterName"),
                        "'ClusterName' is not NAME=VALUE"),
                Arguments.of("env-vars not an object", List.of("-e", "events/migration.json", "-n", "DIR/list.json"),
                        "DIR/list.json must hold an object"),
                Arguments.of("env-vars value not a string", List.of("-e", "events/migration.json", "-n", "DIR/nested.json"),
                        "MigrationFunction.CLUSTER in DIR/nested.json must be a string, number or boolean"),
                Arguments.of("env-vars missing", List.of("-e", "events/migration.json", "-n", "DIR/none.json"),
                        "cannot read --env-vars file 'DIR/none.json'"),
                Arguments.of("bad region", List.of("-e", "events/migration.json", "--region", "mars"),
                        "--region must be a region such as us-east-1, got 'mars'"));
    }

    /**
     * Without the emulator anywhere (not in AWS_LAMBDA_RIE, PATH or the cache, no Go, no CI copy beside the
     * repository), the script says how to get it, with exit 127; a wrong AWS_LAMBDA_RIE is named.
     */
    @Test
    void missingEmulator_saysHowToGetIt(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("repo");
        Files.createDirectories(copy.resolve("scripts/lib"));
        Files.copy(Path.of("template.yaml"), copy.resolve("template.yaml"));
        for (String file : List.of("local-invoke.sh", "lib/common.sh", "lib/contract.sh", "lib/toolchain.sh", "lib/emulator.sh", "lib/function_env.py")) {
            Files.copy(Path.of("scripts", file), copy.resolve("scripts").resolve(file));
        }
        Map<String, String> env = callerEnvironment();
        env.put("MIGRATION_ARTIFACT", Path.of("target/ecs-migration-runner-1.0.0.jar").toAbsolutePath().toString());
        env.put("HOME", dir.toString());
        env.put("PATH", Stream.of(System.getenv("PATH").split(":"))
                .filter(entry -> !Files.exists(Path.of(entry, "go")) && !Files.exists(Path.of(entry, "aws-lambda-rie")))
                .collect(Collectors.joining(":")));
        List<String> command = List.of("bash", copy.resolve("scripts/local-invoke.sh").toString(), "-e",
                Path.of("events/migration.json").toAbsolutePath().toString());

        Script missing = Script.startCommand(command, env);
        assertThat(missing.exitCode()).as(missing.output()).isEqualTo(127);
        assertThat(missing.output()).contains("the Lambda Runtime Interface Emulator (aws-lambda-rie) is not installed",
                "https://github.com/aws/aws-lambda-runtime-interface-emulator/releases", "set AWS_LAMBDA_RIE to its path",
                "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@latest");

        env.put("AWS_LAMBDA_RIE", dir.resolve("no-such-rie").toString());
        Script wrong = Script.startCommand(command, env);
        assertThat(wrong.exitCode()).as(wrong.output()).isEqualTo(127);
        assertThat(wrong.output()).contains("AWS_LAMBDA_RIE is '" + dir.resolve("no-such-rie") + "', which is not an executable file");
    }

    @Test
    void demo_theReadmesMainCommand_runsOneMigrationEndToEnd() {
        Map<String, String> env = Script.baseEnvironment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        Script demo = Script.start("demo.sh", env);

        assertThat(demo.exitCode(Duration.ofMinutes(4))).as(demo.output()).isZero();
        assertThat(demo.output()).contains("the function's status: {\"status\":\"STARTED\"", "REPORT RequestId:", "[app] INFO  [alembic.runtime.migration] Running upgrade",
                "-> STOPPED", "demo finished: wait-for-migration.sh exited 0");
        assertThat(demo.output()).containsPattern("result=succeeded exit_code=0 task_arn=arn:aws:ecs:us-east-1:123456789012:task/migrations/");
    }
}
