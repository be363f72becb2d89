package dev.ecsmigrate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** template.yaml as a tree; CloudFormation's short-form tags (!Ref, !Sub…) are read as their plain values. */
public final class Template {

    private static final JsonNode ROOT = load();

    private Template() {
    }

    private static JsonNode load() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(Path.of("template.yaml").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The trigger function's properties, with the template's Globals merged in as SAM merges them. */
    public static JsonNode function() {
        return function("MigrationFunction");
    }

    /** A function's properties, with the template's Globals merged in: maps key by key, the function's own value winning. */
    public static JsonNode function(String logicalId) {
        JsonNode own = ROOT.path("Resources").path(logicalId).path("Properties");
        return merge(ROOT.path("Globals").path("Function"), own);
    }

    private static JsonNode merge(JsonNode shared, JsonNode own) {
        if (!shared.isObject() || !own.isObject()) {
            return own.isMissingNode() ? shared : own;
        }
        ObjectNode merged = ((ObjectNode) shared).deepCopy();
        own.forEachEntry((name, value) -> merged.set(name, merge(merged.path(name), value)));
        return merged;
    }

    public static JsonNode resources() {
        return ROOT.path("Resources");
    }

    public static String handler() {
        return function().path("Handler").asText();
    }

    public static JsonNode triggerPattern() {
        return function().path("Events").path("Trigger").path("Properties").path("Pattern");
    }
}
