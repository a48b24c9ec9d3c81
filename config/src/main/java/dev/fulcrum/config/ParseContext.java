package dev.fulcrum.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/** State of one parse: where the text came from, and every error found so far. */
final class ParseContext {

    /** More errors than this are almost always one mistake repeated: stop collecting. */
    static final int MAX_ERRORS = 100;

    private final String source;
    private final Path baseDir;
    private final FileValues files;
    private final List<ConfigError> errors = new ArrayList<>();
    private boolean truncated;
    private final Map<String, Set<String>> sectionKeys = new LinkedHashMap<>();
    private final Map<String, Set<String>> requiredKeys = new LinkedHashMap<>();

    ParseContext(String source, Path baseDir) {
        this(source, baseDir, FileProbe.SYSTEM);
    }

    /** @param probe how the files the configuration names are checked (a fake in tests) */
    ParseContext(String source, Path baseDir, FileProbe probe) {
        this.source = source;
        this.baseDir = baseDir;
        this.files = new FileValues(baseDir, probe);
    }

    String source() {
        return source;
    }

    Path baseDir() {
        return baseDir;
    }

    /** Parsers for the files the configuration names, relative to {@link #baseDir()}. */
    FileValues files() {
        return files;
    }

    Location at(Node node) {
        return at(node.getStartMark());
    }

    Location at(Mark mark) {
        return mark == null ? fileLocation() : new Location(source, mark.getLine() + 1, mark.getColumn() + 1);
    }

    /** For problems with the whole file (unreadable, too big, limits without a position). */
    Location fileLocation() {
        return new Location(source, 1, 1);
    }

    void error(Node node, String path, String message) {
        error(at(node), path, message);
    }

    void error(Location location, String path, String message) {
        if (errors.size() < MAX_ERRORS) {
            errors.add(new ConfigError(location, path, message));
        } else {
            truncated = true;
        }
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** Every error, by position; the order they were found in breaks ties. */
    List<ConfigError> errors() {
        List<ConfigError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingInt((ConfigError e) -> e.location().line())
                .thenComparingInt(e -> e.location().column()));
        if (truncated) {
            sorted.add(new ConfigError(fileLocation(), "",
                    "too many errors; only the first " + MAX_ERRORS + " are shown"));
        }
        return sorted;
    }

    /** Records the keys a kind of mapping accepts (and requires); the schema test compares them. */
    void recordKeys(String section, Set<String> accepted, Set<String> required) {
        sectionKeys.computeIfAbsent(section, k -> new LinkedHashSet<>()).addAll(accepted);
        requiredKeys.computeIfAbsent(section, k -> new LinkedHashSet<>()).addAll(required);
    }

    Map<String, Set<String>> sectionKeys() {
        return sectionKeys;
    }

    Map<String, Set<String>> requiredKeys() {
        return requiredKeys;
    }
}
