package dev.ecsmigrate.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {

    @Test
    void parse_buildsOrderedMapsListsAndScalars() throws Exception {
        Object value = Json.parse("{\"b\":[1,2.5,\"x\",true,null],\"a\":{\"c\":false}}");

        assertThat(value).isEqualTo(Map.of("b", List.of(new Json.Number("1"), new Json.Number("2.5"), "x", true, Json.NULL),
                "a", Map.of("c", false)));
        assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) value).keySet())).containsExactly("b", "a");
    }

    @Test
    void parse_whenEmpty_isNothing() throws Exception {
        assertThat(Json.parse(new byte[0])).isNull();
    }

    @Test
    void parse_whenTrailingValue_orBroken_throwsWithJacksonsMessage() {
        assertThatThrownBy(() -> Json.parse("{} {}")).isInstanceOf(JsonProcessingException.class).hasMessageContaining("more than one JSON value");
        assertThatThrownBy(() -> Json.parse("{\"detail\":")).isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void parse_whenNestedDeeperThanEventBridgeAllows_refuses() throws Exception {
        assertThat(Json.parse("[".repeat(1000) + "]".repeat(1000))).isInstanceOf(List.class);
        assertThatThrownBy(() -> Json.parse("[".repeat(1001) + "]".repeat(1001))).isInstanceOf(JsonProcessingException.class);
    }

    /** Numbers are never computed: a value at or beyond any edge costs nothing and is told back as written. */
    @Test
    void parse_numbersAtTheEdges_keepTheirTextAndCostNothing() throws Exception {
        for (String number : List.of("1e999999999", "-1E-2147483648", "1e2147483648", "123456789012345678901234567890",
                "0.0000000000000000000000000000001", "-0", "9223372036854775808", "1.7976931348623157E309", "4.9e-325")) {
            Object parsed = Json.parse("{\"n\":" + number + "}");

            assertThat(parsed).isEqualTo(Map.of("n", new Json.Number(number)));
            assertThat(Json.describe(((Map<?, ?>) parsed).get("n"))).isEqualTo("the number " + number);
            assertThat(Json.write(parsed)).isEqualTo("{\"n\":" + number + "}");
        }
    }

    @Test
    void parse_whenANumberIsLongerThan1000Digits_refuses() {
        assertThatThrownBy(() -> Json.parse("[" + "9".repeat(1001) + "]")).isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void parse_whenMalformedInAnyWay_throwsOnlyJsonProcessingException() {
        byte[][] inputs = {
                {(byte) 0xff, (byte) 0xfe, 0x7b},
                {0x7b, 0x22, (byte) 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d},
                "{\"a\":1,\"a\":2}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "[NaN]".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "[01]".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "\"\u0000\"".getBytes(java.nio.charset.StandardCharsets.UTF_8)};
        for (byte[] input : inputs) {
            assertThatThrownBy(() -> Json.parse(input)).isInstanceOf(JsonProcessingException.class);
        }
    }

    @Test
    void describe_whenTheValueIsHuge_staysOneLine() {
        assertThat(Json.describe("x".repeat(200_000))).hasSize("the string ''".length() + 80);
        assertThat(Json.shorten("a".repeat(76) + "\uD83D\uDE00" + "b".repeat(10))).isEqualTo("a".repeat(76) + "...");
    }

    @Test
    void write_roundTripsWhatDatabindReads() throws Exception {
        String text = "{\"id\":\"e\\\"1\",\"n\":[1,-2.5E+3],\"ok\":true,\"none\":null}";

        assertThat(new ObjectMapper().readTree(Json.write(Json.parse(text)))).isEqualTo(new ObjectMapper().readTree(text));
    }

    @Test
    void describe_namesTheKindAndValue() throws Exception {
        assertThat(Json.describe(null)).isEqualTo("nothing");
        assertThat(Json.describe(Json.NULL)).isEqualTo("null");
        assertThat(Json.describe("x")).isEqualTo("the string 'x'");
        assertThat(Json.describe(Json.parse("42"))).isEqualTo("the number 42");
        assertThat(Json.describe(true)).isEqualTo("the boolean true");
        assertThat(Json.describe(Json.parse("[1,2]"))).isEqualTo("an array [1,2]");
        assertThat(Json.describe(Json.parse("{\"k\":\"" + "v".repeat(100) + "\"}"))).startsWith("an object {\"k\":\"vvv").endsWith("...").hasSize(80 + "an object ".length());
    }
}
