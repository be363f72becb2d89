package dev.ecsmigrate.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Generated trigger events, most of them hostile: random JSON; valid envelopes with one field mutated
 * (types, nulls, empty, huge, deeply nested, unicode and control characters, numbers at and beyond every
 * edge); task-definition ARN look-alikes across partitions, regions, accounts and services; revisions 0,
 * negative and overflowing; correlation-id edge cases; unknown fields; detail as a string or missing;
 * bytes that are not JSON at all. Built as a small JSON model, so that numbers keep their exact text and
 * duplicate names can be written. One seed gives the same events every time.
 */
public final class HostileEvents {

    /** A JSON value, written exactly as built. */
    public sealed interface J {
    }

    public record Obj(List<Field> fields) implements J {
    }

    public record Field(String name, J value) {
    }

    public record Arr(List<J> elements) implements J {
    }

    public record Str(String value) implements J {
    }

    /** A number as written, never computed. */
    public record Num(String text) implements J {
    }

    public record Bool(boolean value) implements J {
    }

    public record Null() implements J {
    }

    static final List<String> EDGE_NUMBERS = List.of("0", "-0", "1", "-1", "42", "0.5", "1e308", "1e309", "-1e309",
            "1e999999999", "-1E-999999999", "1e2147483648", "123456789012345678901234567890123", "9223372036854775807",
            "9223372036854775808", "-9223372036854775809", "2147483647", "2147483648", "-2147483649", "4.9e-324",
            "1.7976931348623157e308", "0.1e-400", "1" + "0".repeat(999), "1" + "0".repeat(1000), "1E+2", "-0.0e-0");
    static final List<String> PARTITIONS = List.of("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-eusc", "aws-x", "AWS", "");
    static final List<String> REGIONS = List.of("us-east-1", "us-east-1", "us-west-2", "eu-west-1", "cn-north-1", "us-gov-west-1",
            "US-EAST-1", "us-east-10", "", "us_east_1");
    static final List<String> ACCOUNTS = List.of("123456789012", "123456789012", "210987654321", "12345678901", "1234567890123",
            "", "abcdefghijkl", "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10\uff11\uff12");
    static final List<String> SERVICES = List.of("ecs", "ecs", "ecs", "ec2", "lambda", "ECS", "");
    static final List<String> RESOURCES = List.of("task-definition", "task-definition", "task-definition", "task", "service",
            "taskdefinition", "task-definition/x");
    static final List<String> FAMILIES = List.of("app", "api", "app", "other", "", "a".repeat(255), "a".repeat(256), "app;rm",
            "app/42", "\u00e1pp", "APP");
    static final List<String> REVISIONS = List.of("42", "1", "0", "-1", "01", "2147483647", "2147483648", "4294967296",
            "99999999999999999999", "", "x", "1.0", "1e3", "42/");
    static final String CORRELATION_ALPHABET = "abcXYZ019_-/";
    static final String NEAR_ALPHABET = " .:;@#$%\\\"'\u0000\u001f\u007f\u00e9\u4e2d\ud83d\ude00\ud800\t\r\n";

    private final Random random;

    public HostileEvents(long seed) {
        this.random = new Random(seed);
    }

    /** The next event, of any kind. */
    public byte[] next() {
        return switch (weighted(3, 6, 3, 2, 1, 1)) {
            case 0 -> bytes(validEnvelope());
            case 1 -> bytes(mutatedEnvelope());
            case 2 -> bytes(arnLookAlike());
            case 3 -> bytes(correlationIdEdge());
            case 4 -> bytes(randomJson(4));
            default -> notJson();
        };
    }

    /** A well-formed trigger event: STARTED or DRY_RUN by the contract. */
    public Obj validEnvelope() {
        String family = pick(List.of("app", "api"));
        String revision = random.nextInt(20) == 0 ? "2147483647" : String.valueOf(1 + random.nextInt(1000));
        String correlationId = string(CORRELATION_ALPHABET, 1, 36);
        int shape = random.nextInt(6);
        List<Field> detail = new ArrayList<>();
        detail.add(new Field("taskdef_arn", new Str("arn:aws:ecs:us-east-1:123456789012:task-definition/" + family + ":" + revision)));
        if (shape != 0) {
            detail.add(new Field("correlation_id", new Str(correlationId)));
        }
        if (shape == 2 || shape == 3) {
            detail.add(new Field("dry_run", new Bool(shape == 3)));
        }
        return envelope(detail, shape == 0 ? "6a7e8feb-b491-4cf7-a9f1-" + Integer.toHexString(correlationId.hashCode()) : "evt-" + shape);
    }

    /** A valid envelope with one field changed, removed, duplicated or added. */
    Obj mutatedEnvelope() {
        Obj envelope = validEnvelope();
        String path = pick(List.of("version", "id", "detail-type", "source", "account", "time", "region", "resources",
                "detail", "detail.taskdef_arn", "detail.correlation_id", "detail.dry_run", "+extra", "detail.+extra"));
        J value = hostileValue();
        int how = random.nextInt(10);
        if (path.equals("+extra")) {
            return with(envelope, "extra_field", value, false);
        }
        if (path.equals("detail.+extra")) {
            return with(envelope, "detail", with(detailOf(envelope), how % 2 == 0 ? "dryrun" : "x\u0000y", value, false), false);
        }
        if (path.startsWith("detail.")) {
            String name = path.substring("detail.".length());
            Obj detail = detailOf(envelope);
            Obj changed = how == 0 ? without(detail, name) : with(detail, name, value, how == 1);
            return with(envelope, "detail", changed, false);
        }
        return how == 0 ? without(envelope, path) : with(envelope, path, value, how == 1);
    }

    /** A value that breaks a field's type, size or content. */
    J hostileValue() {
        return switch (weighted(2, 2, 1, 2, 3, 1, 1, 2, 1)) {
            case 0 -> new Null();
            case 1 -> new Num(pick(EDGE_NUMBERS));
            case 2 -> new Bool(random.nextBoolean());
            case 3 -> new Str(pick(List.of("", " ", "true", "false", "null", "0", "ecs.migration", "AWS ECS Migration Task",
                    "AWS ECS Migration Task Status")));
            case 4 -> new Str(string(NEAR_ALPHABET + CORRELATION_ALPHABET, 0, 60));
            case 5 -> new Str("\u00e9x".repeat(500 + random.nextInt(150_000)));
            case 6 -> nested(900 + random.nextInt(200));
            case 7 -> randomJson(3);
            default -> new Str("{\"taskdef_arn\":\"arn:aws:ecs:us-east-1:123456789012:task-definition/app:42\"}");
        };
    }

    /** A task-definition ARN put together from right parts and, mostly, one wrong one. */
    Obj arnLookAlike() {
        List<List<String>> choices = List.of(PARTITIONS, SERVICES, REGIONS, ACCOUNTS, RESOURCES, FAMILIES, REVISIONS);
        String[] parts = {"aws", "ecs", "us-east-1", "123456789012", "task-definition", pick(List.of("app", "api")), "42"};
        for (int changes = random.nextInt(10) < 7 ? 1 : 2 + random.nextInt(3); changes > 0; changes--) {
            int part = random.nextInt(parts.length);
            parts[part] = pick(choices.get(part));
        }
        String arn = "arn:" + parts[0] + ":" + parts[1] + ":" + parts[2] + ":" + parts[3] + ":" + parts[4] + "/" + parts[5] + ":" + parts[6];
        String mangled = switch (random.nextInt(7)) {
            case 0 -> arn.substring(0, arn.lastIndexOf(':'));
            case 1 -> " " + arn;
            case 2 -> arn + "\n";
            case 3 -> arn.replace("arn:", "ARN:");
            default -> arn;
        };
        List<Field> detail = new ArrayList<>();
        detail.add(new Field("taskdef_arn", new Str(mangled)));
        if (random.nextBoolean()) {
            detail.add(new Field("correlation_id", new Str("gh-arn")));
        }
        return envelope(detail, "evt-arn");
    }

    /** A correlation id at or around the rule: lengths 0, 1, 36, 37; every allowed character; their neighbours. */
    Obj correlationIdEdge() {
        String id = switch (random.nextInt(3)) {
            case 0 -> string(CORRELATION_ALPHABET, 0, 40);
            case 1 -> string(CORRELATION_ALPHABET + NEAR_ALPHABET, 1, 37);
            default -> pick(List.of("a".repeat(36), "a".repeat(37), "", "-", "/", "_", "gh-1\u0000", "\uff47\uff48-1"));
        };
        boolean inDetail = random.nextBoolean();
        List<Field> detail = new ArrayList<>();
        detail.add(new Field("taskdef_arn", new Str("arn:aws:ecs:us-east-1:123456789012:task-definition/app:42")));
        if (inDetail) {
            detail.add(new Field("correlation_id", new Str(id)));
        }
        return envelope(detail, inDetail ? "evt-cid" : id);
    }

    /** Any JSON at all, up to a depth. */
    J randomJson(int depth) {
        int kind = depth == 0 ? weighted(1, 2, 1, 3) : weighted(1, 2, 1, 3, 2, 1);
        return switch (kind) {
            case 0 -> new Null();
            case 1 -> new Num(pick(EDGE_NUMBERS));
            case 2 -> new Bool(random.nextBoolean());
            case 3 -> new Str(string(NEAR_ALPHABET + CORRELATION_ALPHABET + "detailsourc", 0, 20));
            case 4 -> new Obj(list(4, () -> new Field(random.nextBoolean()
                    ? pick(List.of("source", "detail-type", "detail", "id", "taskdef_arn", "correlation_id", "dry_run"))
                    : string(NEAR_ALPHABET + "abc", 0, 8), randomJson(depth - 1))));
            default -> new Arr(list(4, () -> randomJson(depth - 1)));
        };
    }

    /** Bytes that are not one JSON document: noise, cut-off events, bad UTF-8, two documents, duplicate names. */
    byte[] notJson() {
        byte[] valid = bytes(envelope(List.of(new Field("taskdef_arn",
                new Str("arn:aws:ecs:us-east-1:123456789012:task-definition/app:42"))), "evt-bytes"));
        String text = new String(valid, StandardCharsets.UTF_8);
        return switch (random.nextInt(8)) {
            case 0 -> {
                byte[] noise = new byte[random.nextInt(200)];
                random.nextBytes(noise);
                yield noise;
            }
            case 1 -> Arrays.copyOf(valid, random.nextInt(valid.length));
            case 2 -> concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, valid);
            case 3 -> concat(valid, valid);
            case 4 -> text.replace("\"app:42\"", "\"app:42\\u00\"").getBytes(StandardCharsets.UTF_8);
            case 5 -> text.replace("evt-", "evt-\u0001").getBytes(StandardCharsets.UTF_8);
            case 6 -> concat(Arrays.copyOf(valid, valid.length - 2), new byte[] {(byte) 0xc3, 0x28, '"', '}'});
            default -> text.replaceFirst("\"source\"", "\"source\":\"x\",\"source\"").getBytes(StandardCharsets.UTF_8);
        };
    }

    public static Obj envelope(List<Field> detail, String id) {
        List<Field> fields = new ArrayList<>();
        fields.add(new Field("version", new Str("0")));
        fields.add(new Field("id", new Str(id)));
        fields.add(new Field("detail-type", new Str("AWS ECS Migration Task")));
        fields.add(new Field("source", new Str("ecs.migration")));
        fields.add(new Field("account", new Str("123456789012")));
        fields.add(new Field("time", new Str("2026-11-22T17:00:00Z")));
        fields.add(new Field("region", new Str("us-east-1")));
        fields.add(new Field("resources", new Arr(List.of())));
        fields.add(new Field("detail", new Obj(detail)));
        return new Obj(fields);
    }

    /** An index chosen with these weights. */
    private int weighted(int... weights) {
        int roll = random.nextInt(Arrays.stream(weights).sum());
        for (int i = 0; i < weights.length; i++) {
            roll -= weights[i];
            if (roll < 0) {
                return i;
            }
        }
        throw new IllegalStateException("weights");
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private String string(String alphabet, int min, int max) {
        int length = min + random.nextInt(max - min + 1);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private <T> List<T> list(int max, java.util.function.Supplier<T> element) {
        List<T> list = new ArrayList<>();
        for (int n = random.nextInt(max + 1); n > 0; n--) {
            list.add(element.get());
        }
        return list;
    }

    private static Obj detailOf(Obj envelope) {
        return envelope.fields().stream().filter(f -> f.name().equals("detail")).map(f -> (Obj) f.value()).findFirst().orElseThrow();
    }

    private static Obj with(Obj object, String name, J value, boolean duplicate) {
        List<Field> fields = new ArrayList<>();
        boolean replaced = false;
        for (Field field : object.fields()) {
            if (field.name().equals(name) && !duplicate) {
                fields.add(new Field(name, value));
                replaced = true;
            } else {
                fields.add(field);
            }
        }
        if (!replaced) {
            fields.add(new Field(name, value));
        }
        return new Obj(fields);
    }

    private static Obj without(Obj object, String name) {
        return new Obj(object.fields().stream().filter(f -> !f.name().equals(name)).toList());
    }

    private static J nested(int depth) {
        J value = new Str("deep");
        for (int i = 0; i < depth; i++) {
            value = i % 2 == 0 ? new Arr(List.of(value)) : new Obj(List.of(new Field("n", value)));
        }
        return value;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    /** The JSON text of a value, as UTF-8. */
    public static byte[] bytes(J value) {
        StringBuilder out = new StringBuilder();
        write(out, value);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void write(StringBuilder out, J value) {
        switch (value) {
            case Obj object -> joined(out, '{', '}', object.fields(), field -> {
                string(out, field.name());
                out.append(':');
                write(out, field.value());
                return null;
            });
            case Arr array -> joined(out, '[', ']', array.elements(), element -> {
                write(out, element);
                return null;
            });
            case Str text -> string(out, text.value());
            case Num number -> out.append(number.text());
            case Bool flag -> out.append(flag.value());
            case Null nothing -> out.append("null");
        }
    }

    private static <T> void joined(StringBuilder out, char open, char close, List<T> items, Function<T, Void> each) {
        out.append(open);
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            each.apply(items.get(i));
        }
        out.append(close);
    }

    /** A JSON string; control characters and unpaired surrogates are escaped, everything else is written as it is. */
    private static void string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pairedHigh = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
            boolean pairedLow = Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c) && !pairedHigh && !pairedLow) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
