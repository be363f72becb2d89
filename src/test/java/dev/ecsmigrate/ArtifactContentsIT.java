package dev.ecsmigrate;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Lambda runs holds the function and its runtime libraries, and nothing else: no development
 * tool, no test library, no SDK module that no call uses. It reads the artifact that {@code sam build}
 * produced (MIGRATION_ARTIFACT, as scripts/test.sh sets it), else the shaded jar.
 */
class ArtifactContentsIT {

    private static final Path ARTIFACT = Path.of(System.getenv().getOrDefault("MIGRATION_ARTIFACT", "target/ecs-migration-runner-1.0.0.jar"));

    /** Every entry: class files and resources, from the artifact's own folder and from each jar in it. */
    private static List<String> entries() {
        List<String> entries = new ArrayList<>();
        try {
            if (Files.isDirectory(ARTIFACT)) {
                try (Stream<Path> files = Files.walk(ARTIFACT)) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        String name = ARTIFACT.relativize(file).toString();
                        entries.add(name);
                        if (name.endsWith(".jar")) {
                            jarEntries(file, name + "!/", entries);
                        }
                    }
                }
            } else {
                jarEntries(ARTIFACT, "", entries);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    private static void jarEntries(Path jar, String prefix, List<String> into) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().map(ZipEntry::getName).forEach(name -> into.add(prefix + name));
        }
    }

    @Test
    void artifact_holdsTheFunctionAndNoDevelopmentTool() {
        assertThat(ARTIFACT).as("the artifact to inspect; run scripts/test.sh, or mvn package first").exists();
        List<String> entries = entries();

        assertThat(entries).as("the entry points are there").contains(
                entryFor(entries, "dev/ecsmigrate/MigrationHandler.class"));
        assertThat(entries).as("development tools live in the test sources")
                .noneMatch(e -> e.contains("dev/ecsmigrate/local/"))
                .noneMatch(e -> e.contains("LocalContext") || e.contains("Contender"))
                .noneMatch(e -> e.contains("com/amazonaws/services/lambda/runtime/api/client/"))
                .noneMatch(e -> e.contains("dev/ecsmigrate/testing/"))
                .noneMatch(e -> e.matches(".*dev/ecsmigrate/.*(Test|IT|Bench)(\\$.*)?\\.class"));
        assertThat(entries).as("test libraries stay out")
                .noneMatch(e -> e.contains("org/junit/") || e.contains("org/mockito/") || e.contains("org/assertj/")
                        || e.contains("com/github/tomakehurst/") || e.contains("software/amazon/event/ruler/")
                        || e.contains("com/fasterxml/jackson/databind/"));
        assertThat(entries).as("no SDK module that no call uses")
                .noneMatch(e -> e.contains("software/amazon/eventstream/") || e.contains("http-auth-aws-eventstream")
                        || e.contains("software/amazon/awssdk/http/apache/") || e.contains("software/amazon/awssdk/http/nio/netty/"));
    }

    private static String entryFor(List<String> entries, String suffix) {
        return entries.stream().filter(e -> e.endsWith(suffix)).findFirst().orElse(suffix);
    }
}
