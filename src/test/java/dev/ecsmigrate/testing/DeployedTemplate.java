package dev.ecsmigrate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A template as CloudFormation would deploy it: transformed by the SAM translator (src/test/resources/sam_translate.py),
 * then with the intrinsic functions that remain (Ref, Fn::Sub, Fn::Join, Fn::Split, Fn::Select, Fn::If with the
 * template's Conditions) evaluated for given parameter values and the pseudo parameters below. A resource's Ref is
 * its logical id and its Fn::GetAtt is "Id.Attribute": concrete, and never a wildcard.
 */
public class DeployedTemplate {

    /** The values the translator gets for the pseudo parameters. */
    public static final Map<String, String> PSEUDO = Map.of(
            "AWS::Region", "us-east-1",
            "AWS::AccountId", "123456789012",
            "AWS::Partition", "aws",
            "AWS::StackName", "policy-test",
            "AWS::URLSuffix", "amazonaws.com");

    private static final Path TRANSLATOR = Path.of("src/test/resources/sam_translate.py");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** template.yaml through the SAM translator, with these parameter values (every parameter without a default needs one). */
    public static DeployedTemplate of(Path template, Map<String, String> parameters) {
        return new DeployedTemplate(translate(template, parameters), parameters);
    }

    /** The translated template, before evaluation. */
    public static JsonNode translate(Path template, Map<String, String> parameters) {
        try {
            return run(template, parameters);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode run(Path template, Map<String, String> parameters) throws IOException, InterruptedException {
        JsonNode declared = new ObjectMapper(new YAMLFactory()).readTree(template.toFile()).path("Parameters");
        declared.forEachEntry((name, parameter) -> assertThat(parameter.has("Default") || parameters.containsKey(name))
                .as(template + " has a parameter without a default, " + name + ": give it a value").isTrue());

        List<String> command = new ArrayList<>(List.of("python3", TRANSLATOR.toString(), template.toString()));
        parameters.forEach((name, value) -> command.add(name + "=" + value));
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        String out = read(process.getInputStream());
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("sam_translate.py finished").isTrue();
        assertThat(process.exitValue()).as(() -> String.join(" ", command) + " failed:\n" + errors.join()).isZero();
        return JSON.readTree(out);
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> strings(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        return node.isArray() ? node.valueStream().map(JsonNode::asText).toList() : List.of(node.asText());
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{(!?)([^}]+)}");

    private final JsonNode template;
    private final Map<String, JsonNode> parameters = new TreeMap<>();

    public DeployedTemplate(JsonNode template, Map<String, String> values) {
        this.template = template;
        PSEUDO.forEach((name, value) -> parameters.put(name, TextNode.valueOf(value)));
        template.path("Parameters").forEachEntry((name, declared) -> {
            String value = values.getOrDefault(name, declared.path("Default").asText());
            String type = declared.path("Type").asText();
            if (type.equals("CommaDelimitedList") || type.startsWith("List<")) {
                ArrayNode list = NODES.arrayNode();
                Stream.of(value.split(",", -1)).forEach(list::add);
                parameters.put(name, list);
            } else {
                parameters.put(name, TextNode.valueOf(value));
            }
        });
    }

    public JsonNode resources() {
        return template.path("Resources");
    }

    public JsonNode resource(String id) {
        return resources().path(id);
    }

    /** The node with its intrinsic functions evaluated; AWS::NoValue disappears from its parent. */
    public JsonNode evaluate(JsonNode node) {
        if (node.isObject() && node.size() == 1) {
            String key = node.fieldNames().next();
            JsonNode arg = node.path(key);
            switch (key) {
                case "Ref":
                    return ref(arg.asText());
                case "Fn::Sub":
                    return TextNode.valueOf(sub(arg));
                case "Fn::Join": {
                    List<String> parts = strings(evaluate(arg.path(1)));
                    return TextNode.valueOf(String.join(arg.path(0).asText(), parts));
                }
                case "Fn::Split": {
                    ArrayNode parts = NODES.arrayNode();
                    Stream.of(text(evaluate(arg.path(1))).split(Pattern.quote(arg.path(0).asText()), -1)).forEach(parts::add);
                    return parts;
                }
                case "Fn::Select":
                    return evaluate(arg.path(1)).path(Integer.parseInt(text(evaluate(arg.path(0)))));
                case "Fn::If":
                    return evaluate(condition(arg.path(0).asText()) ? arg.path(1) : arg.path(2));
                case "Fn::GetAtt":
                    return TextNode.valueOf(arg.isArray() ? arg.path(0).asText() + "." + arg.path(1).asText() : arg.asText());
                default:
                    if (key.startsWith("Fn::")) {
                        throw new AssertionError("DeployedTemplate does not know " + key + ": " + node);
                    }
            }
        }
        if (node.isObject()) {
            ObjectNode result = NODES.objectNode();
            node.forEachEntry((name, value) -> {
                JsonNode evaluated = evaluate(value);
                if (!evaluated.isMissingNode()) {
                    result.set(name, evaluated);
                }
            });
            return result;
        }
        if (node.isArray()) {
            ArrayNode result = NODES.arrayNode();
            node.forEach(value -> {
                JsonNode evaluated = evaluate(value);
                if (!evaluated.isMissingNode()) {
                    result.add(evaluated);
                }
            });
            return result;
        }
        return node;
    }

    private JsonNode ref(String name) {
        if (name.equals("AWS::NoValue")) {
            return MissingNode.getInstance();
        }
        if (parameters.containsKey(name)) {
            return parameters.get(name);
        }
        assertThat(resources().has(name)).as("Ref to " + name + ", which is neither a parameter nor a resource").isTrue();
        return TextNode.valueOf(name);
    }

    private String sub(JsonNode arg) {
        String text = arg.isArray() ? arg.path(0).asText() : arg.asText();
        JsonNode variables = arg.isArray() ? arg.path(1) : NODES.objectNode();
        Matcher variable = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (variable.find()) {
            String name = variable.group(2);
            String value;
            if (!variable.group(1).isEmpty()) {
                value = "${" + name + "}";
            } else if (variables.has(name)) {
                value = text(evaluate(variables.path(name)));
            } else if (!parameters.containsKey(name) && name.contains(".")) {
                value = name;
            } else {
                value = text(ref(name));
            }
            variable.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return variable.appendTail(out).toString();
    }

    public boolean condition(String name) {
        JsonNode condition = template.path("Conditions").path(name);
        assertThat(condition.isMissingNode()).as("condition " + name + " in Conditions").isFalse();
        return test(condition);
    }

    private boolean test(JsonNode condition) {
        String key = condition.fieldNames().next();
        JsonNode arg = condition.path(key);
        return switch (key) {
            case "Fn::Equals" -> same(evaluate(arg.path(0)), evaluate(arg.path(1)));
            case "Fn::Not" -> !test(arg.path(0));
            case "Fn::And" -> arg.valueStream().allMatch(this::test);
            case "Fn::Or" -> arg.valueStream().anyMatch(this::test);
            case "Condition" -> condition(arg.asText());
            default -> throw new AssertionError("DeployedTemplate does not know condition " + key + ": " + condition);
        };
    }

    private static boolean same(JsonNode a, JsonNode b) {
        return a.isValueNode() && b.isValueNode() ? a.asText().equals(b.asText()) : a.equals(b);
    }

    private static String text(JsonNode node) {
        assertThat(node.isValueNode()).as("a string, not " + node).isTrue();
        return node.asText();
    }
}
