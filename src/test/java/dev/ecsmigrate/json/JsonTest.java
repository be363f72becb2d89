package dev.ecsmigrate.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {

    @Test
    void parse_buildsOrderedMapsListsAndScalars() throws Exception {
        Object value = Json.parse("{\"b\":[1,2.5,\"x\",true,null],\"a\":{\"c\":false}}");

        assertThat(value).isEqualTo(Map.of("b", List.of(new BigDecimal("1"), new BigDecimal("2.5"), "x", true, Json.NULL),
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
    void parse_whenNestedTooDeep_refuses() {
        assertThatThrownBy(() -> Json.parse("[".repeat(100) + "]".repeat(100))).isInstanceOf(JsonProcessingException.class);
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
