package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ecsmigrate.testing.MotoServer;
import dev.ecsmigrate.testing.Script;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The release workflow's {@code sam package}, run with the real SAM CLI against moto_server's S3, never AWS:
 * the function's code, LICENSE and README.md land in the bucket under the release prefix, and the packaged
 * template points at them. It packages what {@code sam build} produced (scripts/test.sh builds it first).
 *
 * <p>How SAM is pointed at moto: {@code sam package} has no endpoint flag, and builds its S3 client with
 * botocore's defaults. Tried with SAM CLI 1.170.0 (botocore 1.43): it honours {@code AWS_ENDPOINT_URL_S3}
 * (and the global {@code AWS_ENDPOINT_URL}), and {@code AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true} turns both
 * off. It reads the region from {@code AWS_DEFAULT_REGION} (or {@code --region}), not from {@code AWS_REGION}.
 * Every other host is sent to a proxy on a closed local port, so if SAM ever stopped honouring the
 * variable, the test would fail at once instead of calling AWS.
 */
class ReleaseIT {

    private static final String PREFIX_ROOT = "ecs-migration-runner/";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    static Path work;

    private static MotoServer moto;
    private static String version;
    private static Path builtTemplate;
    private static JsonNode packaged;
    private static String bucket;

    @BeforeAll
    static void packageTheBuiltTemplate() throws IOException {
        Path sam = samCli();
        builtTemplate = builtTemplate();
        version = YAML.readTree(Path.of("template.yaml").toFile())
                .path("Metadata").path("AWS::ServerlessRepo::Application").path("SemanticVersion").asText();
        assertThat(serverlessRepo(YAML.readTree(builtTemplate.toFile())).path("SemanticVersion").asText())
                .as("%s is older than template.yaml: run sam build again (scripts/test.sh does)", builtTemplate)
                .isEqualTo(version);

        moto = MotoServer.get();
        moto.reset();
        bucket = "release-it-" + UUID.randomUUID().toString().substring(0, 8);
        aws("s3api", "create-bucket", "--bucket", bucket);

        Path output = work.resolve("packaged.yaml");
        samPackage(sam, builtTemplate, bucket, PREFIX_ROOT + version, output);
        packaged = YAML.readTree(output.toFile());
    }

    @Test
    void samPackage_pointsTheFunctionAtItsZipInTheReleasePrefix() throws IOException {
        String codeUri = packaged.path("Resources").path("MigrationFunction").path("Properties").path("CodeUri").asText();
        String key = keyOf(codeUri);

        // A folder's key is SAM's checksum of the folder's files, not the zip's MD5 (the zip's timestamps vary).
        Path zip = download(key, "function.zip");
        List<String> entries = new ArrayList<>();
        try (ZipFile file = new ZipFile(zip.toFile())) {
            file.stream().map(ZipEntry::getName).forEach(entries::add);
        }
        assertThat(entries).as("the function zip").contains("dev/ecsmigrate/MigrationHandler.class")
                .anyMatch(e -> e.matches("lib/[^/]+\\.jar"));
    }

    @Test
    void samPackage_uploadsTheLicenseAndReadmeForTheServerlessRepo() throws IOException {
        JsonNode application = serverlessRepo(packaged);
        JsonNode built = serverlessRepo(YAML.readTree(builtTemplate.toFile()));
        for (String property : List.of("LicenseUrl", "ReadmeUrl")) {
            Path local = builtTemplate.getParent().resolve(built.path(property).asText()).normalize();
            String key = keyOf(application.path(property).asText());
            Path uploaded = download(key, property);
            assertThat(uploaded).as("%s in S3 is %s", property, local).hasSameBinaryContentAs(local);
            assertThat(lastSegment(key)).as("a file's key is its MD5").isEqualTo(md5(local));
        }
        assertThat(application.path("SemanticVersion").asText()).isEqualTo(version);
    }

    /** RELEASING.md's route for another region or account: the release zip, uploaded unchanged to the user's bucket. */
    @Test
    void releaseZip_fromReleasingMd_uploadsUnchangedToAnotherBucket() throws IOException {
        Path zip = work.resolve("ecs-migration-runner-" + version + ".zip");
        zipDirectory(builtTemplate.getParent().resolve("MigrationFunction"), zip);

        String sed = Files.readString(Path.of("docs/RELEASING.md")).lines().map(String::strip)
                .filter(l -> l.startsWith("sed ") && l.contains("CodeUri")).findFirst()
                .orElseThrow(() -> new AssertionError("RELEASING.md shows no sed line that points CodeUri at the zip"))
                .replace("X.Y.Z", version);
        run(List.of("bash", "-c", "cd " + work + " && " + sed), Script.baseEnvironment(), Duration.ofSeconds(30));
        Path fromZip = work.resolve("from-zip.yaml");
        assertThat(YAML.readTree(fromZip.toFile()).path("Resources").path("MigrationFunction").path("Properties")
                .path("CodeUri").asText()).isEqualTo(zip.getFileName().toString());

        String userBucket = bucket + "-user";
        aws("s3api", "create-bucket", "--bucket", userBucket);
        Path output = work.resolve("user-packaged.yaml");
        samPackage(samCli(), fromZip, userBucket, "mine", output);
        String codeUri = YAML.readTree(output.toFile()).path("Resources").path("MigrationFunction").path("Properties")
                .path("CodeUri").asText();
        assertThat(codeUri).isEqualTo("s3://" + userBucket + "/mine/" + md5(zip));
    }

    // ---- helpers

    /** SAM_CLI, else the SAM CLI that scripts/test.sh installs into its own virtualenv. */
    private static Path samCli() {
        String configured = System.getenv("SAM_CLI");
        Path sam = configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getenv().getOrDefault("XDG_CACHE_HOME", System.getProperty("user.home") + "/.cache"),
                        "ecs-migration-runner", "sam", "bin", "sam");
        if (!Files.isExecutable(sam)) {
            fail("no SAM CLI at " + sam + (configured != null && !configured.isBlank() ? " (from SAM_CLI)" : "")
                    + ". Run scripts/test.sh, which installs one and tells this test where, or install it yourself:"
                    + " python3 -m venv ~/.cache/ecs-migration-runner/sam && ~/.cache/ecs-migration-runner/sam/bin/pip install aws-sam-cli"
                    + " (or set SAM_CLI to a sam executable)");
        }
        return sam;
    }

    /** The template sam build wrote: beside MIGRATION_ARTIFACT when scripts/test.sh sets it, else in .aws-sam/build. */
    private static Path builtTemplate() {
        String artifact = System.getenv("MIGRATION_ARTIFACT");
        Path template = artifact != null && Files.isDirectory(Path.of(artifact))
                ? Path.of(artifact).getParent().resolve("template.yaml")
                : Path.of(".aws-sam", "build", "template.yaml");
        if (!Files.isRegularFile(template)) {
            fail("no built template at " + template + ": sam package needs sam build's output. Run scripts/test.sh,"
                    + " or MAVEN_OPTS=-DskipTests=true sam build, first");
        }
        return template.toAbsolutePath();
    }

    private static JsonNode serverlessRepo(JsonNode template) {
        return template.path("Metadata").path("AWS::ServerlessRepo::Application");
    }

    /** The environment every CLI here runs with: dummy credentials, moto as S3, and a dead proxy for any other host. */
    private static Map<String, String> environment() {
        Map<String, String> env = Script.baseEnvironment();
        env.put("SAM_CLI_TELEMETRY", "0");
        env.put("AWS_ENDPOINT_URL_S3", moto.endpoint().toString());
        env.put("HTTPS_PROXY", "http://127.0.0.1:9");
        env.put("HTTP_PROXY", "http://127.0.0.1:9");
        env.put("NO_PROXY", "127.0.0.1,localhost");
        return env;
    }

    private static void samPackage(Path sam, Path template, String toBucket, String prefix, Path output) {
        run(List.of(sam.toString(), "package", "--template-file", template.toString(), "--s3-bucket", toBucket,
                "--s3-prefix", prefix, "--output-template-file", output.toString(), "--no-progressbar"),
                environment(), Duration.ofSeconds(180));
    }

    private static void aws(String... args) {
        List<String> command = new ArrayList<>(List.of("aws"));
        command.addAll(List.of(args));
        run(command, environment(), Duration.ofSeconds(60));
    }

    private static Script run(List<String> command, Map<String, String> env, Duration limit) {
        Script process = Script.startCommand(command, env);
        int code = process.exitCode(limit);
        assertThat(code).as("%s exited %d:%n%s", command.subList(0, Math.min(3, command.size())), code, process.output()).isZero();
        return process;
    }

    private static String keyOf(String s3Url) {
        Matcher url = Pattern.compile("s3://([^/]+)/(.+)").matcher(s3Url);
        assertThat(url.matches()).as("an s3:// URL: %s", s3Url).isTrue();
        assertThat(url.group(1)).isEqualTo(bucket);
        assertThat(url.group(2)).as("the key of %s", s3Url).matches(Pattern.quote(PREFIX_ROOT + version + "/") + "[0-9a-f]{32}");
        return url.group(2);
    }

    private static Path download(String key, String name) {
        Path to = work.resolve(name);
        aws("s3api", "get-object", "--bucket", bucket, "--key", key, to.toString());
        return to;
    }

    private static String lastSegment(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    private static String md5(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void zipDirectory(Path directory, Path zip) throws IOException {
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream zipped = new ZipOutputStream(out);
             Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                zipped.putNextEntry(new ZipEntry(directory.relativize(file).toString()));
                Files.copy(file, zipped);
                zipped.closeEntry();
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
