package dev.ecsmigrate.testing;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One moto_server per test JVM, on a free port of 127.0.0.1, stopped when the JVM exits.
 * Tests reset it before each test instead of starting another.
 */
public final class MotoServer {

    public static final StaticCredentialsProvider CREDENTIALS = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

    private static MotoServer instance;

    private final URI endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private MotoServer(URI endpoint) {
        this.endpoint = endpoint;
    }

    /** Another moto_server, for a suite that runs lanes side by side: each lane gets a server process of its own. */
    public static MotoServer another() {
        return start();
    }

    public static synchronized MotoServer get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    public URI endpoint() {
        return endpoint;
    }

    public void reset() {
        post("/moto-api/reset", "");
    }

    /** Each DescribeTasks moves a task one lifecycle step after {@code polls} polls. */
    public void taskStepsEvery(int polls) {
        post("/moto-api/state-manager/set-transition",
                "{\"model_name\":\"ecs::task\",\"transition\":{\"progression\":\"manual\",\"times\":" + polls + "}}");
    }

    /** Tasks stay RUNNING however often they are described, until a test stops them. */
    public void tasksStayRunning() {
        taskStepsEvery(1_000_000);
    }

    private void post(String path, String body) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint.resolve(path))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException("moto " + path + " answered " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static MotoServer start() {
        String command = System.getenv().getOrDefault("MOTO_SERVER", "moto_server");
        int port = freePort();
        try {
            Path log = Files.createDirectories(Path.of("target")).resolve("moto-server.log");
            Process process = new ProcessBuilder(command, "-H", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
            MotoServer server = new MotoServer(URI.create("http://127.0.0.1:" + port));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("moto_server exited with " + process.exitValue() + "; see " + log);
                }
                try {
                    server.reset();
                    return server;
                } catch (UncheckedIOException notYet) {
                    Thread.sleep(100);
                }
            }
            process.destroy();
            throw new IllegalStateException("moto_server did not answer on port " + port + " within 30 s; see " + log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start '" + command + "': install moto with 'pip install \"moto[server]\"'"
                    + " or set MOTO_SERVER to its path", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
