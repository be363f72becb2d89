package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the release workflow, docs/RELEASING.md, template.yaml, CHANGELOG.md and LICENSE in agreement, so
 * a maintainer who follows RELEASING.md gets the release the workflow makes. Reads files only; no network.
 *
 * <p>The version rule: template.yaml's {@code SemanticVersion} is either the newest released version in
 * CHANGELOG.md (its first {@code ## [X.Y.Z]} heading: the release being cut, or just cut), or a newer
 * version that the {@code ## [Unreleased]} section names as "The next release is X.Y.Z".
 *
 * <p>The files are read under the system property {@code release.root} (default: the working directory),
 * so a broken copy can show that each check fails.
 */
class ReleaseDocsTest {

    private static final Path ROOT = Path.of(System.getProperty("release.root", "."));
    private static final Pattern SEMVER = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)");
    private static final Pattern RELEASED_HEADING = Pattern.compile("(?m)^## \\[(\\d+\\.\\d+\\.\\d+)]");

    private static String read(String path) throws IOException {
        return Files.readString(ROOT.resolve(path));
    }

    private static JsonNode yaml(String path) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve(path).toFile());
    }

    private static JsonNode workflow() throws IOException {
        return yaml(".github/workflows/release.yml");
    }

    /** Every step of every job, in file order. */
    private static List<JsonNode> steps() throws IOException {
        List<JsonNode> steps = new ArrayList<>();
        workflow().path("jobs").forEach(job -> job.path("steps").forEach(steps::add));
        return steps;
    }

    /** The part of a Markdown file under the level-2 heading that starts with {@code title}, up to the next one. */
    private static String section(String markdown, String title) {
        int start = markdown.indexOf("\n## " + title);
        assertThat(start).as("a section '## %s'", title).isNotNegative();
        int end = markdown.indexOf("\n## ", start + 1);
        return markdown.substring(start, end < 0 ? markdown.length() : end);
    }

    /** The lines of the fenced code blocks in a piece of Markdown. */
    private static List<String> codeLines(String markdown) {
        List<String> lines = new ArrayList<>();
        boolean inCode = false;
        for (String line : markdown.split("\n")) {
            if (line.strip().startsWith("```")) {
                inCode = !inCode;
            } else if (inCode) {
                lines.add(line.strip());
            }
        }
        return lines;
    }

    /** GitHub's filter pattern for tags: {@code *} is any run of characters except '/'. */
    private static boolean matchesTagFilter(String filter, String tag) {
        StringBuilder regex = new StringBuilder();
        for (char c : filter.toCharArray()) {
            regex.append(c == '*' ? "[^/]*" : Pattern.quote(String.valueOf(c)));
        }
        return tag.matches(regex.toString());
    }

    @Test
    void workflow_triggersOnTheTagThatReleasingMdSaysToPush() throws Exception {
        Matcher push = Pattern.compile("git push origin (v\\S+)").matcher(read("docs/RELEASING.md"));
        assertThat(push.find()).as("RELEASING.md shows the 'git push origin vX.Y.Z' that starts a release").isTrue();
        String example = push.group(1).replace('X', '2').replace('Y', '0').replace('Z', '1');
        assertThat(example).as("the tag RELEASING.md shows, as an example").isEqualTo("v2.0.1");

        List<String> filters = new ArrayList<>();
        workflow().path("on").path("push").path("tags").forEach(t -> filters.add(t.asText()));
        assertThat(filters).as("the workflow's tag filters").isNotEmpty()
                .anySatisfy(filter -> assertThat(matchesTagFilter(filter, example)).as("%s matches %s", filter, example).isTrue())
                .allSatisfy(filter -> assertThat(matchesTagFilter(filter, "main")).as("%s must not match a branch-like tag", filter).isFalse());
        assertThat(workflow().path("on").path("push").has("branches")).as("a push to a branch never releases").isFalse();
    }

    @Test
    void releasingMd_showsOnlyCommandsThatTheWorkflowRunsWithTheSameFlags() throws Exception {
        List<String> documented = codeLines(section(read("docs/RELEASING.md"), "Cutting a release")).stream()
                .map(line -> line.replaceFirst("^\\(cd [^)]*&& ", "").replaceFirst("^MAVEN_OPTS=\\S+ ", ""))
                .filter(line -> line.matches("(sam|gh) .*"))
                .toList();
        assertThat(documented.stream().map(ReleaseDocsTest::commandName))
                .as("the release commands RELEASING.md shows")
                .contains("sam build", "sam package", "sam publish", "gh release create");

        List<String> runs = steps().stream().map(s -> s.path("run").asText()).filter(r -> !r.isEmpty()).toList();
        for (String command : documented) {
            String name = commandName(command);
            List<String> flags = flags(command);
            assertThat(runs).as("a workflow step runs '%s' with %s, as RELEASING.md shows", name, flags)
                    .anySatisfy(run -> {
                        assertThat(run).contains(name);
                        assertThat(flags(run)).containsAll(flags);
                    });
        }
    }

    private static String commandName(String line) {
        String[] words = line.split("\\s+");
        return words[0].equals("gh") ? String.join(" ", words[0], words[1], words[2]) : words[0] + " " + words[1];
    }

    private static List<String> flags(String text) {
        List<String> flags = new ArrayList<>();
        Matcher m = Pattern.compile("(?<=\\s)--[a-z][a-z0-9-]+").matcher(text);
        while (m.find()) {
            flags.add(m.group());
        }
        return flags;
    }

    @Test
    void releasingMd_listsExactlyTheVariablesTheWorkflowReads() throws Exception {
        Set<String> documented = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `([A-Z][A-Z0-9_]*)` \\|").matcher(section(read("docs/RELEASING.md"), "One-time setup"));
        while (row.find()) {
            documented.add(row.group(1));
        }
        Set<String> read = new TreeSet<>();
        Matcher vars = Pattern.compile("\\bvars\\.([A-Za-z0-9_]+)").matcher(read(".github/workflows/release.yml"));
        while (vars.find()) {
            read.add(vars.group(1));
        }
        assertThat(documented).as("the variables RELEASING.md's table lists")
                .containsExactlyInAnyOrder("RELEASE_ROLE_ARN", "AWS_REGION", "RELEASE_BUCKET");
        assertThat(read).as("the vars.* the workflow reads").isEqualTo(documented);
        assertThat(read(".github/workflows/release.yml")).as("the workflow stores no keys").doesNotContain("secrets.");
    }

    @Test
    void workflow_passesExpressionsToScriptsOnlyThroughEnv() throws Exception {
        List<JsonNode> steps = steps();
        assertThat(steps).as("steps").isNotEmpty();
        assertThat(steps).allSatisfy(step -> assertThat(step.path("run").asText())
                .as("run: of step '%s' (pass ${{ }} values through env:)", step.path("name").asText(step.path("uses").asText()))
                .doesNotContain("${{"));
    }

    @Test
    void releaseJob_runsAfterTheTestsWithOidcAndNoMore() throws Exception {
        JsonNode jobs = workflow().path("jobs");
        assertThat(jobs.path("test").path("steps").toString()).contains("bash .ci/run");
        JsonNode release = jobs.path("release");
        assertThat(release.path("needs").asText()).isEqualTo("test");
        assertThat(release.path("permissions").path("id-token").asText()).isEqualTo("write");
        assertThat(release.path("permissions").path("contents").asText()).isEqualTo("write");
        assertThat(workflow().path("permissions").path("contents").asText()).as("other jobs only read").isEqualTo("read");
    }

    @Test
    void templateVersion_isTheNewestReleaseOrTheOneUnreleasedNames() throws Exception {
        String semanticVersion = yaml("template.yaml").path("Metadata").path("AWS::ServerlessRepo::Application")
                .path("SemanticVersion").asText();
        assertThat(semanticVersion).as("template.yaml's SemanticVersion").matches(SEMVER);

        String changelog = read("CHANGELOG.md");
        Matcher released = RELEASED_HEADING.matcher(changelog);
        assertThat(released.find()).as("CHANGELOG.md has a released version heading '## [X.Y.Z]'").isTrue();
        String newest = released.group(1);
        if (semanticVersion.equals(newest)) {
            return;
        }
        assertThat(compare(semanticVersion, newest))
                .as("SemanticVersion %s is neither the newest release %s nor newer than it", semanticVersion, newest)
                .isPositive();
        assertThat(section(changelog, "[Unreleased]"))
                .as("CHANGELOG.md's [Unreleased] section names the next release, SemanticVersion %s", semanticVersion)
                .contains("The next release is " + semanticVersion);
    }

    private static int compare(String a, String b) {
        Matcher x = SEMVER.matcher(a);
        Matcher y = SEMVER.matcher(b);
        assertThat(x.matches() && y.matches()).isTrue();
        for (int i = 1; i <= 3; i++) {
            int c = Integer.compare(Integer.parseInt(x.group(i)), Integer.parseInt(y.group(i)));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    @Test
    void license_isApache2() throws Exception {
        String license = read("LICENSE");
        assertThat(license.strip()).startsWith("Apache License");
        assertThat(license.lines().limit(3).map(String::strip).toList()).contains("Version 2.0, January 2004");
        assertThat(license).contains("END OF TERMS AND CONDITIONS");
        assertThat(yaml("template.yaml").path("Metadata").path("AWS::ServerlessRepo::Application").path("SpdxLicenseId").asText())
                .isEqualTo("Apache-2.0");
    }
}
