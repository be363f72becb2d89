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
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar, run by scripts/local-invoke.sh on the sample events in a fresh JVM, as a user
 * would: proves the handler string, the packaging and the JSON on the wire. And the README's main
 * command, scripts/demo.sh, end to end.
 */
class PackagedFunctionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static MotoWorld world;
    private static Path envFile;

    @BeforeAll
    static void setUp(@TempDir Path dir) throws Exception {
        world = new MotoWorld();
        envFile = dir.resolve("function.env");
        Map<String, String> function = world.runnerEnvironment();
        function.remove("AWS_ENDPOINT_URL");
        function.remove("AWS_REGION");
        Files.writeString(envFile, function.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n")) + "\n");
        // The sample events name revision 42 of family app; register up to it so RunTask can find it.
        for (int revision = 2; revision <= 42; revision++) {
            world.registerTaskDefinition(MotoWorld.FAMILY);
        }
    }

    @AfterAll
    static void tearDown() {
        world.close();
    }

    private static Script invoke(String event) {
        Map<String, String> env = Script.baseEnvironment();
        env.put("AWS_ENDPOINT_URL", world.moto.endpoint().toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        if (System.getenv("MIGRATION_ARTIFACT") != null) {
            env.put("MIGRATION_ARTIFACT", System.getenv("MIGRATION_ARTIFACT"));
        }
        return Script.run("local-invoke.sh", env, "--env-file", envFile.toString(), Path.of("events", event).toString());
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
    void sampleEvent_throughThePackagedJar_givesItsStatus(SampleEvents.Sample sample) throws Exception {
        Script run = invoke(sample.file());
        String expected = sample.expected();

        assertThat(run.exitCode()).as(run.output()).isZero();
        String statusLine = run.output().lines().filter(l -> l.startsWith("{\"status\"")).reduce((a, b) -> b).orElseThrow();
        JsonNode status = JSON.readTree(statusLine);
        assertThat(status.path("status").asText()).isEqualTo(expected);
        assertThat(run.output()).containsPattern("REPORT Init Duration: [0-9.]+ ms\tDuration: [0-9.]+ ms\tMax Memory Used: [0-9]+ MB");
        assertThat(run.output()).doesNotContain("SLF4J");
        String artifact = System.getenv().getOrDefault("MIGRATION_ARTIFACT", "target/ecs-migration-runner-1.0.0.jar");
        assertThat(run.output()).containsPattern("(?m)^artifact: .*" + java.util.regex.Pattern.quote(artifact) + "$");
    }

    @Test
    void usageError_exits2() {
        Script run = Script.run("local-invoke.sh", Script.baseEnvironment(), "events/no-such-event.json");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.output()).contains("cannot read event file 'events/no-such-event.json'");
    }

    @Test
    void demo_theReadmesMainCommand_runsOneMigrationEndToEnd() {
        Map<String, String> env = Script.baseEnvironment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        Script demo = Script.start("demo.sh", env);

        assertThat(demo.exitCode(Duration.ofMinutes(4))).as(demo.output()).isZero();
        assertThat(demo.output()).contains("\"status\":\"STARTED\"", "[app] INFO  [alembic.runtime.migration] Running upgrade",
                "-> STOPPED", "demo finished: wait-for-migration.sh exited 0");
        assertThat(demo.output()).containsPattern("result=succeeded exit_code=0 task_arn=arn:aws:ecs:us-east-1:123456789012:task/migrations/");
    }
}
