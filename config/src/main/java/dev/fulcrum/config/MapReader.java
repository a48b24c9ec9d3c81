package dev.fulcrum.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads one YAML mapping of a known kind (a "section": listener, route, pool, ...).
 *
 * <p>Every key the code asks for becomes a known key of the section; {@link #finish()} then
 * reports the keys nobody asked for, with a "did you mean" hint. So adding a key to the format is
 * one call, e.g. {@code r.optional("max_connections", Scalars.integer(0, MAX), 0)}. Ask for every
 * key of a section unconditionally, then check combinations: that keeps the known-key set complete.
 *
 * <p>Errors are collected in the {@link ParseContext}; a value that fails to parse reads as absent
 * (after its error is recorded), so the walk goes on and finds every other problem too.
 */
final class MapReader {

    /** One {@code key: value} entry of a mapping whose keys are names (e.g. pools). */
    record Entry(String key, Node keyNode, Node valueNode, String path) {
    }

    private final ParseContext ctx;
    private final String section;
    private final MappingNode node;
    private final String path;
    private final Map<String, NodeTuple> entries;
    private final Set<String> known = new LinkedHashSet<>();
    private final Set<String> required = new LinkedHashSet<>();

    private MapReader(ParseContext ctx, String section, MappingNode node, String path) {
        this.ctx = ctx;
        this.section = section;
        this.node = node;
        this.path = path;
        this.entries = uniqueEntries(ctx, node, path);
    }

    /** A reader for {@code node}, or empty (with an error recorded) when it is not a mapping. */
    static Optional<MapReader> of(ParseContext ctx, String section, Node node, String path) {
        if (node instanceof MappingNode m) {
            return Optional.of(new MapReader(ctx, section, m, path));
        }
        ctx.error(node, path, "expected a mapping (" + section + "), got " + Scalars.describe(node));
        return Optional.empty();
    }

    /**
     * The entries of a mapping whose keys are free-form (names), first occurrence of each key;
     * duplicates, merge keys and non-scalar keys are reported.
     */
    static List<Entry> entries(ParseContext ctx, Node node, String path, String expected) {
        if (!(node instanceof MappingNode m)) {
            ctx.error(node, path, "expected " + expected + ", got " + Scalars.describe(node));
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        uniqueEntries(ctx, m, path).forEach((k, t) -> out.add(
                new Entry(k, t.getKeyNode(), t.getValueNode(), join(path, k))));
        return out;
    }

    private static Map<String, NodeTuple> uniqueEntries(ParseContext ctx, MappingNode node, String path) {
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        for (NodeTuple t : node.getValue()) {
            Node k = t.getKeyNode();
            if (Tag.MERGE.equals(k.getTag())) {
                ctx.error(k, path, "YAML merge keys ('<<') are not supported; write the keys out");
                continue;
            }
            if (!(k instanceof ScalarNode s) || Tag.NULL.equals(k.getTag())) {
                ctx.error(k, path, "expected a plain key, got " + Scalars.describe(k));
                continue;
            }
            NodeTuple first = out.putIfAbsent(s.getValue(), t);
            if (first != null) {
                Location was = ctx.at(first.getKeyNode());
                ctx.error(k, join(path, s.getValue()), "duplicate key '" + s.getValue() + "' (first defined at line "
                        + was.line() + ", column " + was.column() + "); each key may appear once");
            }
        }
        return out;
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    ParseContext ctx() {
        return ctx;
    }

    String path() {
        return path;
    }

    String path(String key) {
        return join(path, key);
    }

    /** The mapping itself, for errors about the whole section (e.g. a missing key). */
    MappingNode node() {
        return node;
    }

    Location location() {
        return ctx.at(node);
    }

    /** Declares {@code key} as known and returns its value node, if present. */
    Optional<Node> node(String key) {
        known.add(key);
        NodeTuple t = entries.get(key);
        return t == null ? Optional.empty() : Optional.of(t.getValueNode());
    }

    /** The key node of {@code key}, for errors about the key being there at all. */
    Optional<Node> keyNode(String key) {
        known.add(key);
        NodeTuple t = entries.get(key);
        return t == null ? Optional.empty() : Optional.of(t.getKeyNode());
    }

    boolean has(String key) {
        known.add(key);
        return entries.containsKey(key);
    }

    /**
     * Whether {@code key} is given, without declaring it: for a rule of one key that depends on
     * another, read (and declared) in its own place.
     */
    boolean given(String key) {
        return entries.containsKey(key);
    }

    /** Reports {@code message} at the key (not the value) of {@code key}. */
    void errorAtKey(String key, String message) {
        ctx.error(keyNode(key).orElse(node), path(key), message);
    }

    void error(String message) {
        ctx.error(node, path, message);
    }

    <T> Optional<T> optional(String key, ValueParser<T> parser) {
        return node(key).flatMap(v -> parse(v, path(key), parser));
    }

    <T> T optional(String key, ValueParser<T> parser, T defaultValue) {
        return optional(key, parser).orElse(defaultValue);
    }

    /** Declares {@code key} as required: reports it (at the mapping) when missing. */
    boolean require(String key) {
        required.add(key);
        if (!has(key)) {
            error("missing required key '" + key + "'");
            return false;
        }
        return true;
    }

    /** Like {@link #optional} but reports a missing key (at the mapping) as an error. */
    <T> Optional<T> required(String key, ValueParser<T> parser) {
        return require(key) ? optional(key, parser) : Optional.empty();
    }

    /** Parses {@code value}, recording an error (at the value, or where the parser says) on failure. */
    <T> Optional<T> parse(Node value, String valuePath, ValueParser<T> parser) {
        try {
            return Optional.ofNullable(parser.parse(value));
        } catch (Invalid e) {
            ctx.error(e.node() != null ? e.node() : value, valuePath, e.getMessage());
            return Optional.empty();
        }
    }

    /** A list of values; each bad element is reported at its own position and left out. */
    <T> List<T> list(String key, ValueParser<T> element) {
        return node(key).map(v -> elements(v, path(key), element, false)).orElse(List.of());
    }

    /** One value or a list of them ({@code method: GET} or {@code method: [GET, HEAD]}). */
    <T> List<T> oneOrList(String key, ValueParser<T> element) {
        return node(key).map(v -> elements(v, path(key), element, true)).orElse(List.of());
    }

    private <T> List<T> elements(Node v, String p, ValueParser<T> element, boolean scalarOk) {
        if (!(v instanceof SequenceNode seq)) {
            if (scalarOk && v instanceof ScalarNode) {
                return parse(v, p, element).map(List::of).orElse(List.of());
            }
            ctx.error(v, p, "expected a list, got " + Scalars.describe(v));
            return List.of();
        }
        List<T> out = new ArrayList<>();
        List<Node> items = seq.getValue();
        for (int i = 0; i < items.size(); i++) {
            parse(items.get(i), p + "[" + i + "]", element).ifPresent(out::add);
        }
        return out;
    }

    /** A nested section. */
    <T> Optional<T> section(String key, String kind, Function<MapReader, T> reader) {
        return node(key).flatMap(v -> of(ctx, kind, v, path(key)).map(r -> r.read(reader)));
    }

    /** A list of sections; {@code reader} gets each element's reader and 0-based index. */
    <T> List<T> sections(String key, String kind, IndexedReader<T> reader) {
        Optional<Node> v = node(key);
        if (v.isEmpty()) {
            return List.of();
        }
        if (!(v.get() instanceof SequenceNode seq)) {
            ctx.error(v.get(), path(key), "expected a list of " + kind + "s, got " + Scalars.describe(v.get()));
            return List.of();
        }
        List<T> out = new ArrayList<>();
        List<Node> items = seq.getValue();
        for (int i = 0; i < items.size(); i++) {
            int index = i;
            of(ctx, kind, items.get(i), path(key) + "[" + i + "]")
                    .map(r -> r.read(er -> reader.read(er, index)))
                    .ifPresent(out::add);
        }
        return out;
    }

    /** A mapping of names to values ({@code headers: {X-Tenant: blue}}), keys and values checked. */
    Map<String, String> stringMap(String key, ValueParser<String> keyParser, ValueParser<String> valueParser) {
        Map<String, String> out = new LinkedHashMap<>();
        node(key).ifPresent(v -> {
            for (Entry e : entries(ctx, v, path(key), "a mapping of names to values")) {
                Optional<String> k = parse(e.keyNode(), e.path(), keyParser);
                Optional<String> val = parse(e.valueNode(), e.path(), valueParser);
                if (k.isPresent() && val.isPresent() && out.putIfAbsent(k.get(), val.get()) != null) {
                    ctx.error(e.keyNode(), e.path(), "'" + e.key() + "' is given twice (names are case-insensitive)");
                }
            }
        });
        return out;
    }

    /** Entries of a mapping whose keys are names (e.g. {@code pools}). */
    List<Entry> entries(String key, String expected) {
        return node(key).map(v -> entries(ctx, v, path(key), expected)).orElse(List.of());
    }

    /** Runs {@code reader} on this section, then reports the keys it did not ask for. */
    <T> T read(Function<MapReader, T> reader) {
        T result = reader.apply(this);
        finish();
        return result;
    }

    /** Reports every key that was not asked for, with a hint at the closest known key. */
    void finish() {
        ctx.recordKeys(section, known, required);
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            if (!known.contains(e.getKey())) {
                String hint = Suggest.hint(e.getKey(), known);
                ctx.error(e.getValue().getKeyNode(), path(e.getKey()), "unknown key '" + e.getKey() + "' in "
                        + section + (hint.isEmpty() ? "; expected one of: " + String.join(", ", known) : hint));
            }
        }
    }

    @FunctionalInterface
    interface IndexedReader<T> {
        T read(MapReader reader, int index);
    }
}
