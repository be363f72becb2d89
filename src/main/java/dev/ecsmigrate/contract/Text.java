package dev.ecsmigrate.contract;

/** Text from an event, made fit to travel in a status, a record or a tag. */
public final class Text {

    private Text() {
    }

    /**
     * The value fit to travel: cut to at most {@code max} characters (ending in "...") without splitting a
     * character; any unpaired surrogate, which UTF-8 cannot carry, and any control character, which would
     * break a line of a log or of the aws CLI's text output, replaced by U+FFFD.
     */
    public static String fit(String value, int max) {
        if (value == null) {
            return null;
        }
        String text = value;
        if (text.length() > max) {
            int end = max - 3;
            if (Character.isHighSurrogate(text.charAt(end - 1))) {
                end--;
            }
            text = text.substring(0, end) + "...";
        }
        StringBuilder clean = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))
                    : !Character.isLowSurrogate(c) || i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
            paired &= !Character.isISOControl(c);
            if (!paired && clean == null) {
                clean = new StringBuilder(text.substring(0, i));
            }
            if (clean != null) {
                clean.append(paired ? c : '\uFFFD');
            }
        }
        return clean == null ? text : clean.toString();
    }
}
