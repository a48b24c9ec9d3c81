package dev.fulcrum.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Parsers for plain scalars: text, names, booleans, integers, words from a list, durations,
 * sizes and rates. Each says what it expected when it fails.
 */
final class Scalars {

    /** Names of listeners, routes, pools, servers, certificates and HA nodes: they end up in URLs and metrics. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    /** A rate: {@code 0}, or a size per second ({@code 240B/s}, {@code 1KiB/s}); also used by the JSON schema. */
    static final String RATE_PATTERN = "^(0|[0-9]+(B|KiB|MiB|GiB|TiB)?/s)$";
    private static final Pattern INTEGER = Pattern.compile("[-+]?(0|[1-9][0-9]*)");

    private Scalars() {
    }

    /** How a node reads in an error message: "a list", "the number 3", "an empty value", ... */
    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (!(node instanceof ScalarNode s)) {
            return "a " + node.getNodeId();
        }
        Tag tag = s.getTag();
        if (Tag.NULL.equals(tag)) {
            return "an empty value";
        }
        String v = s.getValue().length() > 40 ? s.getValue().substring(0, 40) + "..." : s.getValue();
        if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
            return "the number " + v;
        }
        if (Tag.BOOL.equals(tag)) {
            return "the boolean '" + v + "'";
        }
        return "'" + v + "'";
    }

    /** The text of a scalar that is not null; anything else is refused with {@code expected}. */
    static String text(Node node, String expected) throws Invalid {
        if (node instanceof ScalarNode s && !Tag.NULL.equals(s.getTag())) {
            return s.getValue();
        }
        throw new Invalid("expected " + expected + ", got " + describe(node));
    }

    /** Any scalar text, empty included (values of match maps). */
    static ValueParser<String> anyText() {
        return node -> text(node, "a string");
    }

    static ValueParser<String> string(String expected) {
        return node -> {
            String t = text(node, expected);
            if (t.isEmpty()) {
                throw new Invalid("expected " + expected + ", got an empty string");
            }
            return t;
        };
    }

    static ValueParser<String> name(String what) {
        return node -> {
            String t = text(node, "a " + what + " name");
            if (!NAME.matcher(t).matches()) {
                throw new Invalid("invalid " + what + " name '" + t + "'; expected 1..64 letters, digits, '_', '.'"
                        + " or '-', starting with a letter or digit");
            }
            return t;
        };
    }

    static ValueParser<Boolean> bool() {
        return node -> {
            String t = text(node, "true or false");
            if (node.getTag().equals(Tag.BOOL) && (t.equals("true") || t.equals("false"))) {
                return Boolean.valueOf(t);
            }
            throw new Invalid("expected true or false, got " + describe(node));
        };
    }

    static ValueParser<Integer> integer(int min, int max) {
        return node -> {
            String expected = max == Integer.MAX_VALUE ? "an integer >= " + min
                    : "an integer between " + min + " and " + max;
            String t = text(node, expected);
            if (!Tag.INT.equals(node.getTag()) || !INTEGER.matcher(t).matches()) {
                throw new Invalid("expected " + expected + ", got " + describe(node));
            }
            long v;
            try {
                v = Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
            } catch (NumberFormatException e) {
                v = t.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
            if (v < min || v > max) {
                throw new Invalid(v + " is out of range; expected " + expected);
            }
            return (int) v;
        };
    }

    /** One of a few allowed integers, e.g. the redirect status codes. */
    static ValueParser<Integer> integerOf(List<Integer> allowed) {
        return integer(Integer.MIN_VALUE, Integer.MAX_VALUE).then(v -> {
            if (!allowed.contains(v)) {
                throw new Invalid(v + " is not allowed here; expected one of " + allowed);
            }
            return v;
        });
    }

    /** One of a few allowed words. */
    static ValueParser<String> oneOf(List<String> allowed, String what) {
        return node -> {
            String t = text(node, what);
            if (!allowed.contains(t)) {
                throw new Invalid("unknown " + what + " '" + t + "'; expected one of " + String.join(", ", allowed));
            }
            return t;
        };
    }

    static <E extends Enum<E>> ValueParser<E> enumOf(Class<E> type, String what) {
        List<String> keys = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            keys.add(e.name().toLowerCase(Locale.ROOT));
        }
        return node -> {
            String t = text(node, what + " (one of " + String.join(", ", keys) + ")");
            int i = keys.indexOf(t);
            if (i < 0) {
                throw new Invalid("unknown " + what + " '" + t + "'" + Suggest.hint(t, keys)
                        + " (expected one of " + String.join(", ", keys) + ")");
            }
            return type.getEnumConstants()[i];
        };
    }

    static ValueParser<String> regex() {
        return node -> {
            String t = text(node, "a regular expression");
            try {
                Pattern.compile(t);
                return t;
            } catch (PatternSyntaxException e) {
                throw new Invalid("invalid regular expression '" + t + "': " + e.getDescription()
                        + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
            }
        };
    }

    static ValueParser<Duration> duration() {
        return node -> {
            try {
                return Durations.parse(text(node, "a duration like 250ms, 2s or 1m"));
            } catch (IllegalArgumentException e) {
                throw new Invalid(e.getMessage());
            }
        };
    }

    static ValueParser<Duration> positiveDuration() {
        return duration().then(d -> {
            if (d.isZero()) {
                throw new Invalid("expected a duration greater than 0, e.g. 250ms or 2s");
            }
            return d;
        });
    }

    /** A duration within {@code [min, max]}. */
    static ValueParser<Duration> duration(Duration min, Duration max) {
        return duration().then(d -> {
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new Invalid(Durations.format(d) + " is out of range; expected a duration from "
                        + Durations.format(min) + " to " + Durations.format(max));
            }
            return d;
        });
    }

    static ValueParser<Long> size() {
        return node -> {
            try {
                return Sizes.parse(text(node, "a size like 64KiB or 1MiB"));
            } catch (IllegalArgumentException e) {
                throw new Invalid(e.getMessage());
            }
        };
    }

    /** A size within {@code [min, max]} bytes, as an int (limits the HTTP codec takes as int). */
    static ValueParser<Integer> size(int min, int max) {
        return size().then(v -> {
            if (v < min || v > max) {
                throw new Invalid(Sizes.format(v) + " is out of range; expected a size from " + Sizes.format(min)
                        + " to " + Sizes.format(max));
            }
            return v.intValue();
        });
    }

    /** A size of at most {@code max} bytes, 0 allowed. */
    static ValueParser<Long> sizeAtMost(long max, String why) {
        return size().then(v -> {
            if (v > max) {
                throw new Invalid(Sizes.format(v) + " is too large; expected a size from 0 to " + Sizes.format(max)
                        + why);
            }
            return v;
        });
    }

    /** A size, or {@code unlimited} (read as {@link ListenerLimits#UNLIMITED}): only said, never assumed. */
    static ValueParser<Long> sizeOrUnlimited() {
        return node -> {
            if ("unlimited".equals(text(node, "a size like 100MiB, or unlimited"))) {
                return ListenerLimits.UNLIMITED;
            }
            try {
                return size().parse(node);
            } catch (Invalid e) {
                throw new Invalid(e.getMessage() + " (or unlimited)");
            }
        };
    }

    /**
     * Bytes per second, written as a size per second ({@code 240B/s}, {@code 1KiB/s}, {@code 4096/s});
     * {@code 0} (a plain zero, with or without a unit) turns the check off.
     */
    static ValueParser<Long> rate() {
        String expected = "a rate like 240B/s or 1KiB/s, or 0 to turn it off";
        return node -> {
            String t = text(node, expected);
            if (t.equals("0")) {
                return 0L;
            }
            int slash = t.indexOf('/');
            if (slash < 0) {
                throw new Invalid("rate '" + t + "' has no '/s'; expected " + expected);
            }
            if (!t.substring(slash).equals("/s")) {
                throw new Invalid("rate '" + t + "' must be per second ('/s'); expected " + expected);
            }
            try {
                return Sizes.parse(t.substring(0, slash));
            } catch (IllegalArgumentException e) {
                throw new Invalid("invalid rate '" + t + "': " + e.getMessage());
            }
        };
    }
}
