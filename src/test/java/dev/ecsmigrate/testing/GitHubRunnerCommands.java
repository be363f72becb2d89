package dev.ecsmigrate.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a step's output the way the GitHub Actions runner does (actions/runner ActionCommandManager and
 * ActionCommand), and returns the workflow commands it would carry out. Lines are what .NET's ReadLine
 * makes of the output: split at LF, CR or CRLF, which is also what Java's readLine does. For each line:
 * <ul>
 *   <li>the v2 form: after leading whitespace, {@code ::name props::data}, the name a registered command;</li>
 *   <li>the legacy form: {@code ##[name props]data} anywhere in the line;</li>
 *   <li>{@code ::stop-commands::TOKEN} stops all processing until a line that is the command TOKEN, in either form.</li>
 * </ul>
 */
public final class GitHubRunnerCommands {

    /** A command the runner would carry out. */
    public record Command(String name, String properties, String data) {
    }

    private static final Set<String> REGISTERED = Set.of("add-mask", "add-matcher", "add-path", "debug", "echo", "endgroup",
            "error", "group", "notice", "remove-matcher", "save-state", "set-env", "set-output", "stop-commands", "warning",
            "internal-set-repo-path");

    private GitHubRunnerCommands() {
    }

    public static List<Command> processed(List<String> lines) {
        List<Command> commands = new ArrayList<>();
        String stopToken = null;
        for (String line : lines) {
            if (!line.contains("::") && !line.contains("##[")) {
                continue;
            }
            Command command = parse(line, stopToken);
            if (command == null) {
                continue;
            }
            if (stopToken != null) {
                if (command.name().equalsIgnoreCase(stopToken)) {
                    commands.add(command);
                    stopToken = null;
                }
                continue;
            }
            commands.add(command);
            if (command.name().equalsIgnoreCase("stop-commands")) {
                stopToken = command.data();
            }
        }
        return commands;
    }

    private static Command parse(String line, String extraName) {
        Command v2 = parseV2(line, extraName);
        return v2 != null ? v2 : parseV1(line, extraName);
    }

    private static Command parseV2(String line, String extraName) {
        String message = line.stripLeading();
        if (!message.startsWith("::")) {
            return null;
        }
        int end = message.indexOf("::", 2);
        if (end < 0) {
            return null;
        }
        String info = message.substring(2, end);
        int space = info.indexOf(' ');
        String name = space < 0 ? info : info.substring(0, space);
        if (!registered(name, extraName)) {
            return null;
        }
        return new Command(name, space < 0 ? "" : info.substring(space + 1).strip(), message.substring(end + 2));
    }

    private static Command parseV1(String line, String extraName) {
        int start = line.indexOf("##[");
        if (start < 0) {
            return null;
        }
        int close = line.indexOf(']', start);
        if (close < 0) {
            return null;
        }
        String info = line.substring(start + 3, close);
        int space = info.indexOf(' ');
        String name = space < 0 ? info : info.substring(0, space);
        if (!registered(name, extraName)) {
            return null;
        }
        return new Command(name, space < 0 ? "" : info.substring(space + 1), line.substring(close + 1));
    }

    private static boolean registered(String name, String extraName) {
        return REGISTERED.contains(name.toLowerCase(Locale.ROOT)) || extraName != null && name.equalsIgnoreCase(extraName);
    }
}
