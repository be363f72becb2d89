package dev.ecsmigrate.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A function instance in a JVM of its own, for tests of what separate Lambda instances do at the same
 * moment. It builds the handler named on the command line through its no-argument constructor, as Lambda
 * does, prints "ready", then reads one event per line on stdin and prints its status as one line on stdout
 * (or "thrown: ..." when the handler throws).
 *
 * <p>Usage: {@code java -cp CLASSPATH dev.ecsmigrate.local.Contender package.Class::handleRequest}
 */
public final class Contender {

    private Contender() {
    }

    public static void main(String[] args) throws Exception {
        // The protocol owns standard output; what the function itself prints there (its EMF metric lines) goes to
        // standard error, as it would go to the log in Lambda.
        PrintStream protocol = System.out;
        System.setOut(System.err);
        RequestStreamHandler handler = (RequestStreamHandler) Class.forName(args[0].split("::")[0]).getConstructor().newInstance();
        protocol.println("ready");
        protocol.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String event; (event = in.readLine()) != null; ) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, new LocalContext(line -> { }));
                protocol.println(out.toString(StandardCharsets.UTF_8));
            } catch (Exception e) {
                protocol.println("thrown: " + e);
            }
            protocol.flush();
        }
    }
}
