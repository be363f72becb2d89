package dev.ecsmigrate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    public static JsonNode function() {
        return ROOT.path("Resources").path("MigrationFunction").path("Properties");
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
