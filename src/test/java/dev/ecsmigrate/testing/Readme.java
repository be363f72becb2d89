package dev.ecsmigrate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The README, read by the tests that keep it true. A block the tests read is marked by an HTML comment
 * ({@code <!-- name -->}, invisible on GitHub) on the line before its fence.
 */
public final class Readme {

    public static final Path README = Path.of("README.md");

    private Readme() {
    }

    public static String text() {
        try {
            return Files.readString(README);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fenced block right after {@code <!-- marker -->}, without its fences. */
    public static String block(String marker) {
        String text = text();
        int at = text.indexOf("<!-- " + marker + " -->");
        if (at < 0) {
            throw new AssertionError("README.md has no block marked <!-- " + marker + " -->");
        }
        int open = text.indexOf("```", at);
        int start = text.indexOf('\n', open) + 1;
        int end = text.indexOf("\n```", start);
        if (open < 0 || end < 0) {
            throw new AssertionError("the block marked <!-- " + marker + " --> in README.md has no fenced code after it");
        }
        return text.substring(start, end + 1);
    }

    /** Every action the README's deploy-role policy allows. */
    public static Set<String> deployRolePolicyActions() {
        try {
            JsonNode policy = new ObjectMapper().readTree(block("deploy-role-policy"));
            Set<String> actions = new TreeSet<>();
            for (JsonNode statement : policy.path("Statement")) {
                JsonNode action = statement.path("Action");
                if (action.isArray()) {
                    action.forEach(a -> actions.add(a.asText()));
                } else {
                    actions.add(action.asText());
                }
            }
            return actions;
        } catch (IOException e) {
            throw new AssertionError("the deploy-role policy in README.md is not JSON: " + e.getMessage(), e);
        }
    }
}
