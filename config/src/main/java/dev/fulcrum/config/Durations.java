package dev.fulcrum.config;

import java.time.Duration;
import java.util.Locale;

/**
 * Durations as written in the configuration: {@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h},
 * or several of these largest unit first, like {@code 1m30s}. A bare {@code 0} is zero.
 *
 * <p>Grammar: {@code "0" | (DIGITS UNIT)+} with {@code UNIT} one of {@code h}, {@code m}, {@code s},
 * {@code ms}, each unit at most once and in that order. No sign, no fractions, no spaces; the
 * total must fit in a {@code long} of milliseconds. Millisecond resolution is all the runtime uses.
 */
public final class Durations {

    /** The same grammar as a regular expression (also used by the JSON schema). */
    public static final String PATTERN = "^(0|(?=[0-9])([0-9]+h)?([0-9]+m(?!s))?([0-9]+s)?([0-9]+ms)?)$";

    private static final String[] UNITS = {"h", "m", "s", "ms"};
    private static final long[] MILLIS = {3_600_000L, 60_000L, 1_000L, 1L};

    private Durations() {
    }

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException with a message saying what is wrong and what is expected
     */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration; expected e.g. 250ms, 2s, 1m or 1h");
        }
        String s = text.trim();
        if (!s.equals(text)) {
            throw new IllegalArgumentException("duration '" + text + "' has surrounding spaces");
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.startsWith("-")) {
            throw new IllegalArgumentException("negative duration '" + text + "'; durations are >= 0");
        }
        long total = 0;
        int lastUnit = -1;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && isDigit(s.charAt(i))) {
                i++;
            }
            if (i == start) {
                throw new IllegalArgumentException("invalid duration '" + text
                        + "'; expected a number with a unit, e.g. 250ms, 2s, 1m, 1h or 1m30s");
            }
            String digits = s.substring(start, i);
            if (i < s.length() && (s.charAt(i) == '.' || s.charAt(i) == ',')) {
                throw new IllegalArgumentException("fractional duration '" + text
                        + "'; use a smaller unit instead, e.g. 1500ms rather than 1.5s");
            }
            int unitStart = i;
            while (i < s.length() && !isDigit(s.charAt(i))) {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (unit.isEmpty()) {
                throw new IllegalArgumentException("duration '" + text + "' has no unit; write e.g. "
                        + digits + "ms or " + digits + "s");
            }
            int u = unitIndex(unit);
            if (u < 0) {
                String hint = unit.toLowerCase(Locale.ROOT).startsWith("u") || unit.startsWith("µ")
                        || unit.startsWith("n")
                        ? " (the smallest unit is ms)" : "";
                throw new IllegalArgumentException("unknown unit '" + unit + "' in duration '" + text
                        + "'" + hint + "; expected ms, s, m or h");
            }
            if (u <= lastUnit) {
                throw new IllegalArgumentException("duration '" + text
                        + "' repeats or reorders units; write the largest unit first, each once (e.g. 1h30m)");
            }
            lastUnit = u;
            try {
                long n = Long.parseLong(digits);
                total = Math.addExact(total, Math.multiplyExact(n, MILLIS[u]));
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("duration '" + text + "' is too large", e);
            }
        }
        return Duration.ofMillis(total);
    }

    /** The shortest form {@link #parse} reads back to the same value (milliseconds resolution). */
    public static String format(Duration duration) {
        long ms = duration.toMillis();
        if (ms < 0) {
            throw new IllegalArgumentException("negative duration " + duration);
        }
        if (ms == 0) {
            return "0";
        }
        StringBuilder sb = new StringBuilder();
        for (int u = 0; u < UNITS.length; u++) {
            long n = ms / MILLIS[u];
            if (n > 0) {
                sb.append(n).append(UNITS[u]);
                ms -= n * MILLIS[u];
            }
        }
        return sb.toString();
    }

    private static int unitIndex(String unit) {
        for (int u = 0; u < UNITS.length; u++) {
            if (UNITS[u].equals(unit)) {
                return u;
            }
        }
        return -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
