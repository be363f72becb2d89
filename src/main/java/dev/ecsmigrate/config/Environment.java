package dev.ecsmigrate.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The function's environment variables, read with one set of rules, and the problems found in them. */
final class Environment {

    private final Map<String, String> variables;
    private final List<String> problems = new ArrayList<>();
    private final Set<String> names = new TreeSet<>();

    Environment(Map<String, String> variables) {
        this.variables = Map.copyOf(variables);
    }

    /** The stripped value, or null when the variable is unset or blank. */
    String value(String name) {
        names.add(name);
        String value = variables.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** The value in upper case, for enumerations; null when unset or blank. */
    String upper(String name) {
        String value = value(name);
        return value == null ? null : value.toUpperCase(Locale.ROOT);
    }

    /** A comma-separated value as its non-empty, stripped parts. */
    List<String> list(String name) {
        String value = value(name);
        if (value == null) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    void problem(String text) {
        problems.add(text);
    }

    List<String> problems() {
        return List.copyOf(problems);
    }

    /** Every variable read so far. */
    Set<String> names() {
        return Set.copyOf(names);
    }
}
