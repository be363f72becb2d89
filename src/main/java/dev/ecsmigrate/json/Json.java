package dev.ecsmigrate.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON with Jackson's streaming core only. The function reads one small envelope and writes one small
 * status per event; data binding would add 1.7 MB to the artifact and reflective setup to the cold path.
 *
 * <p>A parsed value is a {@code Map<String, Object>} (keys in order), a {@code List<Object>}, a
 * {@code String}, a {@code BigDecimal}, a {@code Boolean}, or {@link #NULL}.
 */
public final class Json {

    /** JSON's null, told apart from a missing field (Java null). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(256 * 1024).build())
            .build();

    private Json() {
    }

    /**
     * Parses one JSON document; empty input gives Java null.
     *
     * @throws JsonProcessingException with Jackson's message when the text is not JSON
     */
    public static Object parse(byte[] text) throws JsonProcessingException {
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return null;
            }
            Object value = read(parser, first);
            if (parser.nextToken() != null) {
                throw new com.fasterxml.jackson.core.JsonParseException(parser, "more than one JSON value in the event");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Object parse(String text) throws JsonProcessingException {
        return parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
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
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getDecimalValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> NULL;
            default -> throw new com.fasterxml.jackson.core.JsonParseException(parser, "unexpected token " + token);
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
            case BigDecimal number -> generator.writeNumber(number);
            case Boolean flag -> generator.writeBoolean(flag);
            default -> generator.writeNull();
        }
    }

    /** Words for a value in an error message: "the string 'x'", "the number 42", "an object {...}", "nothing". */
    public static String describe(Object value) {
        return switch (value) {
            case null -> "nothing";
            case String text -> "the string '" + text + "'";
            case BigDecimal number -> "the number " + number.toPlainString();
            case Boolean flag -> "the boolean " + flag;
            case Map<?, ?> object -> "an object " + shorten(write(object));
            case List<?> array -> "an array " + shorten(write(array));
            default -> "null";
        };
    }

    private static String shorten(String json) {
        return json.length() > 80 ? json.substring(0, 77) + "..." : json;
    }
}
