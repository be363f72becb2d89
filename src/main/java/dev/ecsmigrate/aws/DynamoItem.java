package dev.ecsmigrate.aws;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An update expression built attribute by attribute, every name aliased (so reserved words such as
 * {@code status} need no thought) and every value bound. A null value removes its attribute.
 */
final class DynamoItem {

    private final List<String> sets = new ArrayList<>();
    private final List<String> removes = new ArrayList<>();
    private final List<String> adds = new ArrayList<>();
    private final Map<String, String> names = new LinkedHashMap<>();
    private final Map<String, AttributeValue> values = new LinkedHashMap<>();

    /** The key of a family's lock on a cluster; '#' never occurs in a correlation id, so it cannot meet a record. */
    static String lockKey(String cluster, String family) {
        return "lock#" + cluster + "#" + family;
    }

    DynamoItem set(String name, String value) {
        if (value == null) {
            return remove(name);
        }
        sets.add(alias(name) + " = " + bind(text(value)));
        return this;
    }

    DynamoItem set(String name, long value) {
        sets.add(alias(name) + " = " + bind(number(value)));
        return this;
    }

    DynamoItem setIfAbsent(String name, String value) {
        String alias = alias(name);
        sets.add(alias + " = if_not_exists(" + alias + ", " + bind(text(value)) + ")");
        return this;
    }

    DynamoItem add(String name, long value) {
        adds.add(alias(name) + " " + bind(number(value)));
        return this;
    }

    DynamoItem remove(String name) {
        removes.add(alias(name));
        return this;
    }

    String expression() {
        StringBuilder expression = new StringBuilder();
        if (!sets.isEmpty()) {
            expression.append("SET ").append(String.join(", ", sets));
        }
        if (!removes.isEmpty()) {
            expression.append(expression.isEmpty() ? "" : " ").append("REMOVE ").append(String.join(", ", removes));
        }
        if (!adds.isEmpty()) {
            expression.append(expression.isEmpty() ? "" : " ").append("ADD ").append(String.join(", ", adds));
        }
        return expression.toString();
    }

    Map<String, String> names() {
        return names;
    }

    Map<String, AttributeValue> values() {
        return values;
    }

    private String alias(String name) {
        String alias = "#a" + names.size();
        names.put(alias, name);
        return alias;
    }

    private String bind(AttributeValue value) {
        String placeholder = ":v" + values.size();
        values.put(placeholder, value);
        return placeholder;
    }

    static Map<String, AttributeValue> key(String id) {
        return Map.of("id", text(id));
    }

    static String string(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item == null ? null : item.get(name);
        return value == null ? null : value.s();
    }

    static AttributeValue text(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue number(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
