package dev.ecsmigrate.contract;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scripts and the function share one set of names (CONTRACT.md): scripts/lib/contract.sh must hold
 * the values of {@link Contract}, and no other script may spell them out on its own.
 */
class ContractScriptsTest {

    private static final Path CONTRACT_SH = Path.of("scripts/lib/contract.sh");

    private static final Map<String, String> SHARED = new LinkedHashMap<>();

    static {
        SHARED.put("MIGRATION_SOURCE", Contract.SOURCE);
        SHARED.put("MIGRATION_TRIGGER_DETAIL_TYPE", Contract.TRIGGER_DETAIL_TYPE);
        SHARED.put("MIGRATION_STATUS_DETAIL_TYPE", Contract.STATUS_DETAIL_TYPE);
        SHARED.put("MIGRATION_CORRELATION_ID_TAG", Contract.CORRELATION_ID_TAG);
        SHARED.put("MIGRATION_EVENT_ID_TAG", Contract.EVENT_ID_TAG);
        SHARED.put("MIGRATION_TASK_GROUP_PREFIX", Contract.TASK_GROUP_PREFIX);
        SHARED.put("CORRELATION_ID_RULE", Contract.CORRELATION_ID_RULE);
    }

    /** Runs bash with contract.sh sourced, feeding it {@code stdin}; returns its output lines. */
    private static List<String> bash(String script, String stdin) throws Exception {
        Process process = new ProcessBuilder("bash", "-c", "set -euo pipefail; source " + CONTRACT_SH + "; " + script)
                .redirectErrorStream(true).start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output.isEmpty() ? List.of() : List.of(output.split("\n", -1)).subList(0, output.split("\n", -1).length - 1);
    }

    @Test
    void contractSh_holdsTheValuesOfContract() throws Exception {
        StringBuilder print = new StringBuilder();
        for (String name : SHARED.keySet()) {
            print.append("printf '%s\\n' \"$").append(name).append("\"; ");
        }

        List<String> values = bash(print.toString(), "");

        assertThat(values).containsExactlyElementsOf(SHARED.values());
    }

    /**
     * The correlation-id rule is a Java regular expression in one place and a bash ERE in the other. They
     * must accept exactly the same strings: thousands of generated candidates, biased to the edges (length
     * 0, 36, 37; every allowed character; characters next to the allowed ranges; unicode), get one verdict.
     */
    @Test
    void correlationIdPattern_acceptsExactlyWhatTheJavaRuleAccepts() throws Exception {
        Random random = new Random(20261123L);
        String allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-/";
        String near = "@[`{:.+ \\$\"'*?|&;~é€中\t";
        List<String> candidates = new ArrayList<>(List.of("", "a", "a".repeat(36), "a".repeat(37), allowed.substring(0, 36),
                "-", "/", "_", "gh-7301122334-1", "a b", "a.b", "ä"));
        for (char c : (allowed + near).toCharArray()) {
            candidates.add(String.valueOf(c));
            candidates.add("x" + c + "y");
        }
        for (int i = 0; i < 3000; i++) {
            int length = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(3);
                case 1 -> 34 + random.nextInt(5);
                default -> random.nextInt(40);
            };
            StringBuilder candidate = new StringBuilder();
            for (int j = 0; j < length; j++) {
                String pool = random.nextInt(20) == 0 ? near : allowed;
                candidate.append(pool.charAt(random.nextInt(pool.length())));
            }
            candidates.add(candidate.toString());
        }
        StringBuilder stdin = new StringBuilder();
        for (String candidate : candidates) {
            stdin.append(candidate.replace("\t", " ")).append('\n');
        }
        List<String> lines = List.of(stdin.toString().split("\n", -1)).subList(0, candidates.size());

        List<String> verdicts = bash("export LC_ALL=C.UTF-8; while IFS= read -r line; do "
                + "if [[ \"$line\" =~ $CORRELATION_ID_PATTERN ]]; then echo yes; else echo no; fi; done", stdin.toString());

        assertThat(verdicts).hasSize(lines.size());
        long accepted = 0;
        for (int i = 0; i < lines.size(); i++) {
            boolean java = Contract.CORRELATION_ID.matcher(lines.get(i)).matches();
            assertThat(verdicts.get(i)).as("'%s'", lines.get(i)).isEqualTo(java ? "yes" : "no");
            accepted += java ? 1 : 0;
        }
        assertThat(accepted).as("both verdicts occur").isBetween(100L, lines.size() - 100L);
    }

    /**
     * The correlation id a CI run gets by default is always a valid one, whatever CodeBuild's or GitHub's
     * variables hold: generated build ids (real project:uuid shapes, and junk with ':' and non-ASCII) and run
     * ids. A real CodeBuild id gives cb- and the uuid's 32 hex digits, so that two builds never share one.
     */
    @Test
    void defaultCorrelationId_isAlwaysValid_andNamesTheCodeBuildBuild() throws Exception {
        Random random = new Random(7301122334L);
        String junk = "abcXYZ019_-/:.@ é€中$`'\"";
        List<String[]> cases = new ArrayList<>();   // CODEBUILD_BUILD_ID, GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT
        for (int i = 0; i < 1500; i++) {
            java.util.UUID uuid = new java.util.UUID(random.nextLong(), random.nextLong());
            StringBuilder project = new StringBuilder();
            for (int j = random.nextInt(40); j > 0; j--) {
                project.append(junk.charAt(random.nextInt(junk.length())));
            }
            String build = switch (random.nextInt(3)) {
                case 0 -> "app-deploy-" + i + ":" + uuid;
                case 1 -> project + ":" + uuid;
                default -> project.toString();
            };
            boolean github = random.nextInt(4) == 0;
            cases.add(new String[] {build, github ? String.valueOf(random.nextLong()) + project : "",
                    github ? String.valueOf(random.nextInt(1000)) : ""});
        }
        StringBuilder stdin = new StringBuilder();
        for (String[] c : cases) {
            stdin.append(String.join("\t", c).replace("\n", " ")).append('\n');
        }

        List<String> ids = bash("export LC_ALL=C.UTF-8; "
                + "while IFS=$'\\t' read -r CODEBUILD_BUILD_ID GITHUB_RUN_ID GITHUB_RUN_ATTEMPT; do "
                + "default_correlation_id; echo; done", stdin.toString());

        assertThat(ids).hasSize(cases.size());
        java.util.Set<String> codeBuildIds = new java.util.HashSet<>();
        for (int i = 0; i < cases.size(); i++) {
            String[] c = cases.get(i);
            assertThat(ids.get(i)).as("CODEBUILD_BUILD_ID='%s' GITHUB_RUN_ID='%s'", c[0], c[1]).matches(Contract.CORRELATION_ID);
            if (c[1].isEmpty() && c[0].startsWith("app-deploy-")) {
                String uuid = c[0].substring(c[0].indexOf(':') + 1);
                assertThat(ids.get(i)).isEqualTo("cb-" + uuid.replace("-", ""));
                codeBuildIds.add(ids.get(i));
            }
        }
        assertThat(codeBuildIds).as("distinct builds, distinct ids").hasSizeGreaterThan(300);
    }

    /** A script's code: its usage text (a heredoc for people) and its comments are left out. */
    private static String withoutUsageAndComments(String script) {
        StringBuilder code = new StringBuilder();
        boolean usage = false;
        for (String line : script.split("\n")) {
            if (usage) {
                usage = !line.equals("USAGE");
            } else if (line.contains("<<'USAGE'")) {
                usage = true;
            } else if (!line.strip().startsWith("#")) {
                code.append(line).append('\n');
            }
        }
        return code.toString();
    }

    /** No script spells a shared value out on its own: each takes it from contract.sh. */
    @Test
    void scripts_takeSharedValuesFromContractSh() throws IOException {
        List<Path> scripts;
        try (Stream<Path> files = Stream.concat(Files.list(Path.of("scripts")), Files.list(Path.of("scripts/lib")))) {
            scripts = files.filter(p -> p.toString().endsWith(".sh")).filter(p -> !p.equals(CONTRACT_SH)).sorted().toList();
        }
        assertThat(scripts).isNotEmpty();
        for (Path script : scripts) {
            String code = withoutUsageAndComments(Files.readString(script));
            for (String value : List.of(Contract.SOURCE, Contract.TRIGGER_DETAIL_TYPE, Contract.STATUS_DETAIL_TYPE,
                    Contract.CORRELATION_ID_TAG, Contract.EVENT_ID_TAG, Contract.CORRELATION_ID_CHARACTERS)) {
                assertThat(code).as("%s spells '%s' itself; use the variable from scripts/lib/contract.sh", script, value)
                        .doesNotContain(value);
            }
        }
    }
}
