package dev.fulcrum.config;

import java.util.Locale;

/**
 * Byte sizes as written in the configuration: a plain byte count ({@code 65536}, also as a YAML
 * integer) or a number with a binary unit: {@code B}, {@code KiB}, {@code MiB}, {@code GiB},
 * {@code TiB} (powers of 1024, case as written).
 *
 * <p>Decimal or ambiguous units ({@code KB}, {@code MB}, {@code k}, {@code m}, ...) are refused:
 * half the world reads {@code 64KB} as 64000 and the other half as 65536. No sign, no fractions,
 * no spaces; the value must fit in a {@code long}.
 */
public final class Sizes {

    /** The same grammar as a regular expression (also used by the JSON schema). */
    public static final String PATTERN = "^[0-9]+(B|KiB|MiB|GiB|TiB)?$";

    private static final String[] UNITS = {"TiB", "GiB", "MiB", "KiB", "B"};
    private static final long[] FACTORS = {1L << 40, 1L << 30, 1L << 20, 1L << 10, 1L};

    private Sizes() {
    }

    /**
     * Parses a size into bytes.
     *
     * @throws IllegalArgumentException with a message saying what is wrong and what is expected
     */
    public static long parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty size; expected bytes or e.g. 64KiB, 1MiB, 1GiB");
        }
        if (text.startsWith("-")) {
            throw new IllegalArgumentException("negative size '" + text + "'; sizes are >= 0");
        }
        int i = 0;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("invalid size '" + text
                    + "'; expected a byte count or a number with KiB, MiB, GiB or TiB, e.g. 64KiB");
        }
        String digits = text.substring(0, i);
        String unit = text.substring(i);
        if (unit.startsWith(".") || unit.startsWith(",")) {
            throw new IllegalArgumentException("fractional size '" + text
                    + "'; use a smaller unit instead, e.g. 1536KiB rather than 1.5MiB");
        }
        long factor = unit.isEmpty() ? 1 : factor(unit);
        if (factor < 0) {
            throw new IllegalArgumentException(unitProblem(text, unit));
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), factor);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("size '" + text + "' is too large", e);
        }
    }

    /** The largest exact unit form, e.g. {@code 65536 -> 64KiB}, {@code 1000 -> 1000B}. */
    public static String format(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative size " + bytes);
        }
        for (int u = 0; u < UNITS.length; u++) {
            if (bytes != 0 && bytes % FACTORS[u] == 0) {
                return bytes / FACTORS[u] + UNITS[u];
            }
        }
        return bytes + "B";
    }

    private static long factor(String unit) {
        for (int u = 0; u < UNITS.length; u++) {
            if (UNITS[u].equals(unit)) {
                return FACTORS[u];
            }
        }
        return -1;
    }

    private static String unitProblem(String text, String unit) {
        String lower = unit.trim().toLowerCase(Locale.ROOT);
        String binary = switch (lower.isEmpty() ? ' ' : lower.charAt(0)) {
            case 'k' -> "KiB";
            case 'm' -> "MiB";
            case 'g' -> "GiB";
            case 't' -> "TiB";
            case 'b' -> "B";
            default -> null;
        };
        if (unit.startsWith(" ")) {
            return "size '" + text + "' has a space before the unit; write e.g. 64KiB";
        }
        if (binary != null) {
            return "unknown or ambiguous unit '" + unit + "' in size '" + text + "'; write '" + binary
                    + "' (powers of 1024) or a plain byte count";
        }
        return "unknown unit '" + unit + "' in size '" + text + "'; expected B, KiB, MiB, GiB or TiB";
    }
}
