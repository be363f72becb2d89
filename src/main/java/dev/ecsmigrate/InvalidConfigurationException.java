package dev.ecsmigrate;

import java.util.List;

/** The function's configuration cannot run a migration; the message names every problem. */
public final class InvalidConfigurationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidConfigurationException(List<String> problems) {
        super("invalid configuration: " + String.join("; ", problems));
    }

    public InvalidConfigurationException(String problem) {
        super("invalid configuration: " + problem);
    }
}
