package dev.ecsmigrate.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs the handler named on the command line once, in this JVM, on one event file: what
 * {@code scripts/local-invoke.sh} does where the Lambda Runtime Interface Emulator is not installed.
 * It prints the status on stdout and a Lambda-style REPORT line on stderr.
 *
 * <p>Usage: {@code java -cp function.jar dev.ecsmigrate.LocalInvoke HANDLER EVENT_FILE}
 */
public final class LocalInvoke {

    private LocalInvoke() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: LocalInvoke package.Class::handleRequest EVENT_FILE");
            System.exit(2);
        }
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        byte[] event = Files.readAllBytes(Path.of(args[1]));
        String className = args[0].split("::")[0];

        long initStart = System.nanoTime();
        RequestStreamHandler handler = (RequestStreamHandler) Class.forName(className).getConstructor().newInstance();
        long initNanos = System.nanoTime() - initStart;

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long invokeStart = System.nanoTime();
        handler.handleRequest(new ByteArrayInputStream(event), out, new LocalContext(System.err::println));
        long invokeNanos = System.nanoTime() - invokeStart;

        System.out.println(out.toString(StandardCharsets.UTF_8));
        System.out.flush();
        System.err.printf("REPORT Init Duration: %.2f ms\tDuration: %.2f ms\tMax Memory Used: %d MB\tJVM start to status: %d ms%n",
                initNanos / 1e6, invokeNanos / 1e6, peakRssMegabytes(), System.currentTimeMillis() - jvmStart);
    }

    private static long peakRssMegabytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux: fall through to the heap figure.
        }
        return Runtime.getRuntime().totalMemory() / (1024 * 1024);
    }
}
