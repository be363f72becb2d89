package dev.ecsmigrate.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON with Jackson's streaming core only. The function reads one small envelope and writes one small
 * status per event; data binding would add 1.7 MB to the artifact and reflective setup to the cold path.
 *
 * <p>A parsed value is a {@code Map<String, Object>} (keys in order), a {@code List<Object>}, a
 * {@code String}, a {@link Number}, a {@code Boolean}, or {@link #NULL}.
 *
 * <p>The input is untrusted. Numbers keep their text and are never converted, so that {@code 1e999999999}
 * costs nothing, wherever it stands; depth, string and number lengths are bounded; a repeated field
 * name is an error rather than a silent choice of one value.
 */
public final class Json {

    /** JSON's null, told apart from a missing field (Java null). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** A JSON number, as written: its value is never computed. */
    public record Number(String text) {
    }

    /** The largest event EventBridge or an asynchronous Lambda invocation carries: 1 MB. */
    private static final int MAX_DOCUMENT = 1024 * 1024;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            // As deep and as long as an EventBridge event or a Lambda payload can be, and no more.
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(1000)
                    .maxStringLength(MAX_DOCUMENT)
                    .maxNumberLength(1000)
                    .maxDocumentLength(MAX_DOCUMENT)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {
    }

    /**
     * Parses one JSON document; empty input gives Java null.
     *
     * @throws JsonProcessingException with a message that says why, whenever the bytes are not one JSON document
     */
    public static Object parse(byte[] text) throws JsonProcessingException {
        // Jackson checks maxDocumentLength only as it reads more input from a stream, never on a byte array.
        if (text.length > MAX_DOCUMENT) {
            throw new JsonParseException(null, "the document is " + text.length + " bytes, more than the " + MAX_DOCUMENT
                    + " bytes an EventBridge event or a Lambda payload of this runner can be");
        }
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return null;
            }
            Object value = read(parser, first);
            if (parser.nextToken() != null) {
                throw new JsonParseException(parser, "more than one JSON value in the event");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Jackson reports some malformed input (bad UTF-8, an unreadable number) with other exceptions;
            // for untrusted bytes they all mean the same thing.
            throw new JsonParseException(null, String.valueOf(e.getMessage()), e);
        }
    }

    public static Object parse(String text) throws JsonProcessingException {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Object read(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> {
                Map<String, Object> object = new LinkedHashMap<>();
                for (JsonToken next = parser.nextToken(); next != JsonToken.END_OBJECT; next = parser.nextToken()) {
                    String name = parser.currentName();
                    object.put(name, read(parser, parser.nextToken()));
                }
                yield object;
            }
            case START_ARRAY -> {
                List<Object> array = new ArrayList<>();
                for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
                    array.add(read(parser, next));
                }
                yield array;
            }
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new Number(parser.getText());
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> NULL;
            default -> throw new JsonParseException(parser, "unexpected token " + token);
        };
    }

    /** Writes a parsed value back as compact JSON. */
    public static String write(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            write(generator, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator generator, Object value) throws IOException {
        switch (value) {
            case Map<?, ?> object -> {
                generator.writeStartObject();
                for (Map.Entry<?, ?> field : object.entrySet()) {
                    generator.writeFieldName(String.valueOf(field.getKey()));
                    write(generator, field.getValue());
                }
                generator.writeEndObject();
            }
            case List<?> array -> {
                generator.writeStartArray();
                for (Object element : array) {
                    write(generator, element);
                }
                generator.writeEndArray();
            }
            case String text -> generator.writeString(text);
            case Number number -> generator.writeNumber(number.text());
            case Boolean flag -> generator.writeBoolean(flag);
            default -> generator.writeNull();
        }
    }

    /** A parsed value as a string, or null when it is no string or a blank one. */
    public static String text(Object value) {
        return value instanceof String text && !text.isBlank() ? text : null;
    }

    /**
     * Words for a value in an error message, never longer than a line: "the string 'x'", "the number 42",
     * "an object {...}", "nothing".
     */
    public static String describe(Object value) {
        return switch (value) {
            case null -> "nothing";
            case String text -> "the string '" + shorten(text) + "'";
            case Number number -> "the number " + shorten(number.text());
            case Boolean flag -> "the boolean " + flag;
            case Map<?, ?> object -> "an object " + shorten(write(object));
            case List<?> array -> "an array " + shorten(write(array));
            default -> "null";
        };
    }

    /** The text as it stands when short, else its first 77 characters and "...", never splitting a character. */
    public static String shorten(String text) {
        if (text.length() <= 80) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(76)) ? 76 : 77;
        return text.substring(0, end) + "...";
    }
}
