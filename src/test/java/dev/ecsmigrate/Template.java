package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** template.yaml as a tree; CloudFormation's short-form tags (!Ref, !Sub…) are read as their plain values. */
final class Template {

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

    static JsonNode function() {
        return ROOT.path("Resources").path("MigrationFunction").path("Properties");
    }

    static JsonNode resources() {
        return ROOT.path("Resources");
    }

    static String handler() {
        return function().path("Handler").asText();
    }

    static JsonNode triggerPattern() {
        return function().path("Events").path("Trigger").path("Properties").path("Pattern");
    }
}
