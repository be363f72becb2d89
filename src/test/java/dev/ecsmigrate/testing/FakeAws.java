package dev.ecsmigrate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A scripted AWS endpoint on 127.0.0.1 for the JSON-protocol services the function calls (ECS and
 * EventBridge; DynamoDB is passed on to moto_server, see {@link #forwardDynamoDbTo}). The real SDK talks to
 * it over HTTP. It answers like the services do, counts every call by
 * action ({@code ecs:RunTask}), enforces the services' documented input limits (a request beyond them is
 * refused as AWS would refuse it, and recorded as a violation), and plays faults on demand: throttling, 500,
 * 503, a dropped connection, a slow answer, a malformed body, a refused entry.
 */
public final class FakeAws implements AutoCloseable {

    /** What a call can be made to suffer, once per queued fault. */
    public sealed interface Fault {
    }

    /** An AWS JSON error answer. */
    public record Error(int status, String type, String message) implements Fault {
    }

    /** The connection closes before any answer. */
    public record Drop() implements Fault {
    }

    /** The call is carried out, but the connection drops before the answer: the caller cannot know. */
    public record LostAnswer() implements Fault {
    }

    /** The call hangs for this many milliseconds, then the connection drops; nothing is carried out. */
    public record Stall(long millis) implements Fault {
    }

    /** No fault this time: for a script such as "the first call passes, the next ones fail". */
    public record Pass() implements Fault {
    }

    /** The answer comes, but only after this many milliseconds. */
    public record Slow(long millis) implements Fault {
    }

    /** A 200 whose body is not JSON. */
    public record Malformed() implements Fault {
    }

    /** PutEvents answers 200 but refuses the entry (FailedEntryCount 1). */
    public record RefusedEntry(String code) implements Fault {
    }

    public static final Fault THROTTLING = new Error(400, "ThrottlingException", "Rate exceeded");
    public static final Fault SERVER_ERROR = new Error(500, "ServerException", "internal error");
    public static final Fault UNAVAILABLE = new Error(503, "ServiceUnavailableException", "service unavailable");

    /** EventBridge's limit on one PutEvents entry, counted as its documentation says. */
    public static final int EVENTBRIDGE_ENTRY_LIMIT = 256 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STARTED_BY = Pattern.compile("[A-Za-z0-9_/-]{1,128}");
    private static final Pattern TAG_TEXT = Pattern.compile("[\\p{L}\\p{N} +\\-=._:/@]*");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final List<String> violations = new ArrayList<>();
    private final Map<String, Deque<Fault>> faults = new HashMap<>();
    private final Map<String, Fault> always = new HashMap<>();
    private final Map<String, Function<JsonNode, String>> answers = new ConcurrentHashMap<>();
    private final Map<String, List<JsonNode>> requests = new ConcurrentHashMap<>();
    private final Map<String, String> tasksByToken = new ConcurrentHashMap<>();
    private final AtomicInteger taskNumber = new AtomicInteger();
    private final Map<String, java.time.Instant> startedAt = new ConcurrentHashMap<>();
    private final Map<String, String> stopped = new ConcurrentHashMap<>();
    private volatile boolean recordRequests = true;
    private volatile URI dynamoDb;
    private volatile String lastStatusOfTasks = "RUNNING";
    private volatile java.time.Duration lag = java.time.Duration.ZERO;
    private final java.net.http.HttpClient forwarder = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1).build();

    public FakeAws() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** How often an action ({@code ecs:RunTask}, {@code events:PutEvents}) was called, faults included. */
    public int calls(String action) {
        AtomicInteger count = calls.get(action);
        return count == null ? 0 : count.get();
    }

    public Map<String, Integer> callCounts() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        calls.forEach((action, count) -> counts.put(action, count.get()));
        return counts;
    }

    /** How many distinct tasks RunTask has started (a repeated client token starts none). */
    public int tasksStarted() {
        return tasksByToken.size();
    }

    /** Requests that broke a documented limit of the service; the fake refused each one. */
    public List<String> violations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    /** The bodies of the requests made to an action, in order. */
    public List<JsonNode> requests(String action) {
        return List.copyOf(requests.getOrDefault(action, List.of()));
    }

    /** Stop keeping request bodies (for suites that make thousands of calls). */
    public FakeAws withoutRecording() {
        recordRequests = false;
        return this;
    }

    /** The next calls of the action suffer these faults, one each, in order. */
    public synchronized FakeAws fail(String action, Fault... next) {
        faults.computeIfAbsent(action, a -> new ArrayDeque<>()).addAll(List.of(next));
        return this;
    }

    /** Every call of the action suffers this fault. */
    public synchronized FakeAws failAlways(String action, Fault fault) {
        always.put(action, fault);
        return this;
    }

    /**
     * DynamoDB calls go on to this endpoint (moto_server) and their answers come back unchanged, unless a
     * fault is queued for them: this endpoint then plays the fault instead. They go on one at a time:
     * moto_server applies concurrent requests without isolation, so two conditional writes racing for the
     * same item could both pass there, where DynamoDB's are atomic.
     */
    public FakeAws forwardDynamoDbTo(URI endpoint) {
        dynamoDb = endpoint;
        return this;
    }

    /** The lastStatus DescribeTasks reports for the tasks RunTask started (RUNNING unless a test says otherwise). */
    public FakeAws tasksReport(String lastStatus) {
        lastStatusOfTasks = lastStatus;
        return this;
    }

    /** Like ECS's eventual consistency: a task stays out of ListTasks and DescribeTasks for this long after RunTask. */
    public FakeAws tasksVisibleAfter(java.time.Duration delay) {
        lag = delay;
        return this;
    }

    /** Stops a task RunTask started, as StopTask would. */
    public void stop(String taskArn) {
        stopped.put(taskArn, "STOPPED");
    }

    /** Answers the action with this body instead of the default one. */
    public FakeAws answer(String action, Function<JsonNode, String> body) {
        answers.put(action, body);
        return this;
    }

    public synchronized void reset() {
        calls.clear();
        faults.clear();
        always.clear();
        answers.clear();
        requests.clear();
        tasksByToken.clear();
        startedAt.clear();
        stopped.clear();
        lastStatusOfTasks = "RUNNING";
        lag = java.time.Duration.ZERO;
        synchronized (violations) {
            violations.clear();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private synchronized Fault nextFault(String action) {
        Deque<Fault> queued = faults.get(action);
        if (queued != null && !queued.isEmpty()) {
            return queued.poll();
        }
        return always.get(action);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            byte[] body = exchange.getRequestBody().readAllBytes();
            String action = action(target);
            calls.computeIfAbsent(action, a -> new AtomicInteger()).incrementAndGet();
            JsonNode request = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
            if (recordRequests) {
                requests.computeIfAbsent(action, a -> java.util.Collections.synchronizedList(new ArrayList<>())).add(request);
            }
            Fault fault = nextFault(action);
            switch (fault) {
                case Drop drop -> {
                    return; // closing the exchange without an answer drops the connection
                }
                case Error error -> {
                    send(exchange, error.status(), errorBody(error.type(), error.message()), error.type());
                    return;
                }
                case Malformed malformed -> {
                    send(exchange, 200, "{\"tasks\":[{\"taskArn\":", null);
                    return;
                }
                case Slow slow -> sleep(slow.millis());
                case Stall stall -> {
                    sleep(stall.millis());
                    return;
                }
                case LostAnswer lost -> {
                    if (action.startsWith("dynamodb:") && dynamoDb != null) {
                        carryOut(exchange, body);
                    } else if (violation(action, request) == null) {
                        defaultAnswer(action, request);
                    }
                    return;
                }
                case RefusedEntry refused -> {
                    send(exchange, 200, "{\"FailedEntryCount\":1,\"Entries\":[{\"ErrorCode\":\"" + refused.code()
                            + "\",\"ErrorMessage\":\"refused by the test\"}]}", null);
                    return;
                }
                case Pass pass -> {
                    // no fault this time: answer normally
                }
                case null -> {
                    // no fault: answer normally
                }
            }
            if (action.startsWith("dynamodb:") && dynamoDb != null) {
                forward(exchange, body);
                return;
            }
            String violation = violation(action, request);
            if (violation != null) {
                synchronized (violations) {
                    violations.add(action + ": " + violation);
                }
                String type = action.startsWith("events:") ? "ValidationException" : "InvalidParameterException";
                send(exchange, 400, errorBody(type, violation), type);
                return;
            }
            Function<JsonNode, String> custom = answers.get(action);
            send(exchange, 200, custom != null ? custom.apply(request) : defaultAnswer(action, request), null);
        }
    }

    /** Passes a request on and its answer back, headers included (DynamoDB's answers carry a CRC32 the SDK checks). */
    private void forward(HttpExchange exchange, byte[] body) throws IOException {
        java.net.http.HttpResponse<byte[]> answer = carryOut(exchange, body);
        answer.headers().map().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("transfer-encoding")
                    && !name.equalsIgnoreCase("connection") && !name.equalsIgnoreCase("date") && !name.equalsIgnoreCase("server")) {
                values.forEach(value -> exchange.getResponseHeaders().add(name, value));
            }
        });
        exchange.sendResponseHeaders(answer.statusCode(), answer.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer.body());
        }
    }

    /** The request, carried out by the endpoint behind this one (moto tells the service by the signature's scope). */
    private synchronized java.net.http.HttpResponse<byte[]> carryOut(HttpExchange exchange, byte[] body) throws IOException {
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(dynamoDb.resolve("/"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!Set.of("host", "content-length", "connection", "expect", "upgrade").contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        try {
            return forwarder.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static String action(String target) {
        if (target == null) {
            return "unknown";
        }
        String operation = target.substring(target.indexOf('.') + 1);
        if (target.startsWith("AmazonEC2ContainerService")) {
            return "ecs:" + operation;
        }
        if (target.startsWith("AWSEvents")) {
            return "events:" + operation;
        }
        if (target.startsWith("DynamoDB")) {
            return "dynamodb:" + operation;
        }
        return target;
    }

    private String defaultAnswer(String action, JsonNode request) {
        return switch (action) {
            case "ecs:ListTasks" -> listTasks(request);
            case "ecs:RunTask" -> runTask(request);
            case "ecs:DescribeTasks" -> describeTasks(request);
            case "ecs:StopTask" -> {
                stop(request.path("task").asText());
                yield "{\"task\":{\"taskArn\":\"" + request.path("task").asText() + "\",\"lastStatus\":\"STOPPED\"}}";
            }
            case "ecs:DescribeServices" -> "{\"services\":[],\"failures\":[{\"reason\":\"MISSING\"}]}";
            case "events:PutEvents" -> putEvents(request);
            default -> "{}";
        };
    }

    /** Like ECS: one new task per client token; the same token gives the same task back. */
    private String runTask(JsonNode request) {
        String token = request.path("clientToken").asText(null);
        String arn = token == null ? newTaskArn() : tasksByToken.computeIfAbsent(token, t -> newTaskArn());
        startedAt.putIfAbsent(arn, java.time.Instant.now());
        return "{\"tasks\":[{\"taskArn\":\"" + arn + "\",\"lastStatus\":\"PROVISIONING\",\"startedBy\":\""
                + request.path("startedBy").asText("") + "\",\"group\":\"" + request.path("group").asText("") + "\"}],\"failures\":[]}";
    }

    /** The tasks RunTask started, as ListTasks would show them: started by the given startedBy, visible, in the desired status. */
    private String listTasks(JsonNode request) {
        ArrayNode arns = JSON.createArrayNode();
        String startedBy = request.path("startedBy").asText(null);
        boolean wantStopped = "STOPPED".equals(request.path("desiredStatus").asText("RUNNING"));
        tasksByToken.forEach((token, arn) -> {
            if ((startedBy == null || startedBy.equals(token)) && visible(arn) && wantStopped == "STOPPED".equals(statusOf(arn))) {
                arns.add(arn);
            }
        });
        return JSON.createObjectNode().set("taskArns", arns).toString();
    }

    private boolean visible(String arn) {
        java.time.Instant started = startedAt.get(arn);
        return started == null || !java.time.Instant.now().isBefore(started.plus(lag));
    }

    private String statusOf(String arn) {
        return stopped.getOrDefault(arn, lastStatusOfTasks);
    }

    private String newTaskArn() {
        return "arn:aws:ecs:us-east-1:123456789012:task/migrations/" + String.format("%032x", taskNumber.incrementAndGet());
    }

    private String describeTasks(JsonNode request) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode tasks = answer.putArray("tasks");
        ArrayNode failures = answer.putArray("failures");
        for (JsonNode arn : request.path("tasks")) {
            if (tasksByToken.containsValue(arn.asText()) && visible(arn.asText())) {
                String status = statusOf(arn.asText());
                tasks.addObject().put("taskArn", arn.asText()).put("lastStatus", status)
                        .put("desiredStatus", "STOPPED".equals(status) ? "STOPPED" : "RUNNING")
                        .put("createdAt", startedAt.get(arn.asText()).toEpochMilli() / 1000.0);
            } else {
                failures.addObject().put("arn", arn.asText()).put("reason", "MISSING");
            }
        }
        return answer.toString();
    }

    private static String putEvents(JsonNode request) {
        ObjectNode answer = JSON.createObjectNode().put("FailedEntryCount", 0);
        ArrayNode entries = answer.putArray("Entries");
        request.path("Entries").forEach(e -> entries.addObject().put("EventId", java.util.UUID.randomUUID().toString()));
        return answer.toString();
    }

    /** Why the request breaks a documented limit of the service, or null. */
    static String violation(String action, JsonNode request) {
        return switch (action) {
            case "ecs:RunTask" -> runTaskViolation(request);
            case "events:PutEvents" -> putEventsViolation(request);
            default -> null;
        };
    }

    private static String runTaskViolation(JsonNode run) {
        if (run.path("taskDefinition").asText("").isEmpty()) {
            return "taskDefinition is required";
        }
        String startedBy = run.path("startedBy").asText(null);
        if (startedBy != null && !STARTED_BY.matcher(startedBy).matches()) {
            return "startedBy must be up to 128 letters, numbers, hyphens, forward slashes and underscores: " + shorten(startedBy);
        }
        String token = run.path("clientToken").asText(null);
        if (token != null && (token.isEmpty() || token.length() > 64 || token.chars().anyMatch(c -> c < 33 || c > 126))) {
            return "clientToken must be 1-64 characters in the range 33-126: " + shorten(token);
        }
        int count = run.path("count").asInt(1);
        if (count < 1 || count > 10) {
            return "count must be 1-10";
        }
        JsonNode tags = run.path("tags");
        if (tags.size() > 50) {
            return "at most 50 tags";
        }
        for (JsonNode tag : tags) {
            String key = tag.path("key").asText("");
            String value = tag.path("value").asText("");
            if (key.isEmpty() || key.codePointCount(0, key.length()) > 128 || !TAG_TEXT.matcher(key).matches()
                    || key.toLowerCase(java.util.Locale.ROOT).startsWith("aws:")) {
                return "tag key invalid: " + shorten(key);
            }
            if (value.codePointCount(0, value.length()) > 256 || !TAG_TEXT.matcher(value).matches()) {
                return "tag value must be up to 256 letters, numbers, spaces and + - = . _ : / @: " + shorten(value);
            }
        }
        if (run.has("overrides") && run.path("overrides").toString().length() > 8192) {
            return "overrides must be at most 8192 characters";
        }
        JsonNode vpc = run.path("networkConfiguration").path("awsvpcConfiguration");
        if (!vpc.isMissingNode() && (vpc.path("subnets").isEmpty() || vpc.path("subnets").size() > 16
                || vpc.path("securityGroups").size() > 5)) {
            return "awsvpcConfiguration takes 1-16 subnets and at most 5 security groups";
        }
        return null;
    }

    private static String putEventsViolation(JsonNode put) {
        JsonNode entries = put.path("Entries");
        if (entries.isEmpty() || entries.size() > 10) {
            return "1-10 entries per call";
        }
        long total = 0;
        for (JsonNode entry : entries) {
            String source = entry.path("Source").asText("");
            String detailType = entry.path("DetailType").asText("");
            String detail = entry.path("Detail").asText(null);
            if (source.isEmpty() || source.length() > 256 || detailType.isEmpty() || detailType.length() > 128) {
                return "Source (1-256) and DetailType (1-128) are required";
            }
            try {
                if (detail == null || !JSON.readTree(detail).isObject()) {
                    return "Detail must be a JSON object";
                }
            } catch (IOException e) {
                return "Detail is not valid JSON: " + e.getMessage();
            }
            long size = entrySize(entry);
            if (size > EVENTBRIDGE_ENTRY_LIMIT) {
                return "entry is " + size + " bytes; the limit is " + EVENTBRIDGE_ENTRY_LIMIT;
            }
            total += size;
        }
        return total > EVENTBRIDGE_ENTRY_LIMIT ? "entries total " + total + " bytes; the limit is " + EVENTBRIDGE_ENTRY_LIMIT : null;
    }

    /** An entry's size as EventBridge's "Calculating PutEvents event entry size" counts it. */
    public static long entrySize(JsonNode entry) {
        long size = entry.has("Time") ? 14 : 0;
        size += utf8(entry.path("Source").asText(""));
        size += utf8(entry.path("DetailType").asText(""));
        size += utf8(entry.path("Detail").asText(""));
        for (JsonNode resource : entry.path("Resources")) {
            size += utf8(resource.asText());
        }
        return size;
    }

    private static long utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String shorten(String text) {
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }

    private static String errorBody(String type, String message) {
        return JSON.createObjectNode().put("__type", type).put("message", message).toString();
    }

    private static void send(HttpExchange exchange, int status, String body, String errorType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
        if (errorType != null) {
            exchange.getResponseHeaders().add("x-amzn-ErrorType", errorType);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
