package dev.ecsmigrate;

import dev.ecsmigrate.testing.Script;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JDK older than 25 cannot build the function, and the build says so where a user looks: `sam build`
 * shows only Maven's stderr after "Maven Failed:", so the pom's jdk-too-old profile writes the reason there.
 * Runs with a JDK older than 25 from this machine (the one Debian's maven package brings).
 */
class BuildJdkIT {

    private static Path oldJdk;

    @BeforeAll
    static void findAnOlderJdk() throws IOException {
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            oldJdk = jdks.filter(home -> Files.isExecutable(home.resolve("bin/java")) && Files.isExecutable(home.resolve("bin/javac")))
                    .filter(home -> majorVersion(home) < 25).findFirst()
                    .orElseThrow(() -> new AssertionError("no JDK older than 25 under /usr/lib/jvm to build with; "
                            + "install one (apt-get install openjdk-17-jdk-headless) to run this test"));
        }
    }

    private static int majorVersion(Path home) {
        try {
            Path release = home.resolve("release");
            String text = Files.exists(release) ? Files.readString(release) : "";
            var matcher = java.util.regex.Pattern.compile("JAVA_VERSION=\"(1\\.)?(\\d+)").matcher(text);
            return matcher.find() ? Integer.parseInt(matcher.group(2)) : Integer.MAX_VALUE;
        } catch (IOException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static Map<String, String> environment() {
        Map<String, String> env = Script.baseEnvironment();
        env.put("JAVA_HOME", oldJdk.toString());
        env.put("PATH", oldJdk.resolve("bin") + ":" + System.getenv("PATH"));
        env.put("SAM_CLI_TELEMETRY", "0");
        return env;
    }

    @Test
    void mavenOnAnOldJdk_saysWhyOnStderr(@TempDir Path dir) throws Exception {
        Files.copy(Path.of("pom.xml"), dir.resolve("pom.xml"));
        ProcessBuilder builder = new ProcessBuilder("mvn", "-B", "-q", "-ntp", "-f", dir.resolve("pom.xml").toString(), "validate")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.PIPE).directory(dir.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment());
        Process maven = builder.start();
        maven.getOutputStream().close();
        String stderr = new String(maven.getErrorStream().readAllBytes());

        assertThat(maven.waitFor()).isEqualTo(1);
        assertThat(stderr).contains("This build needs a JDK 25 or newer", "Maven runs on Java " + majorVersion(oldJdk) + ".",
                "from " + oldJdk, "Set JAVA_HOME to a JDK 25");
    }

    @Test
    void samBuildOnAnOldJdk_showsTheReason_notAnEmptyMavenFailed(@TempDir Path dir) throws Exception {
        for (String file : List.of("pom.xml", "template.yaml")) {
            Files.copy(Path.of(file), dir.resolve(file));
        }
        String sam = System.getenv().getOrDefault("SAM_CLI", "");
        assertThat(sam).as("SAM_CLI, the sam executable (scripts/test.sh sets it)").isNotBlank();

        Script build = Script.startCommand(List.of(sam, "build", "--template-file", dir.resolve("template.yaml").toString(),
                "--build-dir", dir.resolve(".aws-sam/build").toString()), environment());

        assertThat(build.exitCode(Duration.ofMinutes(3))).isNotZero();
        assertThat(build.output()).contains("Maven Failed: This build needs a JDK 25 or newer");
    }
}
