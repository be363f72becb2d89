package dev.ecsmigrate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files in {@code events/}, discovered rather than listed: a new file is tested without editing a
 * test. A file's name says what it shows and what the function must answer (see events/README.md).
 */
public final class SampleEvents {

    /** What a sample is. */
    public enum Kind {
        /** A trigger event as EventBridge delivers it to the function. */
        TRIGGER,
        /** A status event the function publishes; sent back to the function, it must be rejected. */
        STATUS,
        /** Input for {@code aws events put-events --entries}, not an envelope. */
        PUT_EVENTS_ENTRIES
    }

    /**
     * One file of events/.
     *
     * @param file     the file name
     * @param kind     what it is
     * @param expected the status the trigger handler must answer with (TRIGGER and STATUS samples)
     */
    public record Sample(String file, Kind kind, String expected) {

        public byte[] bytes() {
            return Fixtures.event(file);
        }

        @Override
        public String toString() {
            return file;
        }
    }

    private SampleEvents() {
    }

    public static List<Sample> all() {
        try (Stream<Path> files = Files.list(Path.of("events"))) {
            List<Sample> samples = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted()
                    .map(SampleEvents::classify).toList();
            if (samples.isEmpty()) {
                throw new AssertionError("events/ holds no sample event");
            }
            return samples;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every sample the trigger handler can be fed: trigger events and status events. */
    public static Stream<Sample> envelopes() {
        return all().stream().filter(s -> s.kind() != Kind.PUT_EVENTS_ENTRIES);
    }

    private static Sample classify(String file) {
        if (file.startsWith("migration")) {
            return new Sample(file, Kind.TRIGGER, "STARTED");
        }
        if (file.startsWith("dry-run")) {
            return new Sample(file, Kind.TRIGGER, "DRY_RUN");
        }
        if (file.startsWith("rejected-")) {
            return new Sample(file, Kind.TRIGGER, "REJECTED");
        }
        if (file.startsWith("status-")) {
            return new Sample(file, Kind.STATUS, "REJECTED");
        }
        if (file.startsWith("put-events-")) {
            return new Sample(file, Kind.PUT_EVENTS_ENTRIES, null);
        }
        throw new AssertionError("events/" + file + ": name a sample by what the function must answer: migration*.json (STARTED),"
                + " dry-run*.json (DRY_RUN), rejected-*.json (REJECTED), status-*.json (a status event), put-events-*.json");
    }
}
