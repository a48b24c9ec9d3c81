package dev.fulcrum.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads and validates a Fulcrum configuration file.
 *
 * <p>Every problem is reported, not just the first, each as a {@link ConfigError} printing as
 * {@code FILE:LINE:COL: path: message}. YAML is read safely: nodes only (no objects are
 * constructed), duplicate keys refused, aliases, nesting and size bounded. Nothing is resolved
 * over the network; files named in the configuration are checked for readability.
 */
public final class ConfigLoader {

    /** Files larger than this are refused before reading them. */
    public static final long MAX_FILE_BYTES = 4L * 1024 * 1024;
    /** Aliases to lists or mappings per document (guards against "billion laughs"). */
    public static final int MAX_ALIASES = 50;
    /** Deepest nesting of lists and mappings. */
    public static final int MAX_NESTING = 50;

    private ConfigLoader() {
    }

    /**
     * Loads a configuration file; relative paths inside it resolve against its directory.
     *
     * @throws ConfigException with every problem found
     */
    public static FulcrumConfig load(Path file) throws ConfigException {
        Objects.requireNonNull(file, "file");
        String source = file.toString();
        if (Files.isDirectory(file)) {
            throw fileError(source, "is a directory; expected a YAML configuration file");
        }
        if (!Files.exists(file)) {
            throw fileError(source, "no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw fileError(source, "not a regular file; expected a YAML configuration file");
        }
        if (!Files.isReadable(file)) {
            throw fileError(source, "cannot read the file (permission denied)");
        }
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw fileError(source, tooBig(size));
            }
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
            }
        } catch (NoSuchFileException e) {
            throw fileError(source, "no such file");
        } catch (IOException e) {
            throw fileError(source, "cannot read the file: " + e.getMessage());
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw fileError(source, tooBig(bytes.length));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (MalformedInputException e) {
            throw fileError(source, "not valid UTF-8 text");
        } catch (CharacterCodingException e) {
            throw fileError(source, "not valid UTF-8 text: " + e.getMessage());
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(source, text, dir);
    }

    /**
     * Parses configuration text held in memory.
     *
     * @param sourceName how errors name the text (usually the file name)
     * @param baseDir the directory relative paths in the text resolve against
     * @throws ConfigException with every problem found
     */
    public static FulcrumConfig parse(String sourceName, String yamlText, Path baseDir) throws ConfigException {
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(yamlText, "yamlText");
        Objects.requireNonNull(baseDir, "baseDir");
        ParseContext ctx = new ParseContext(sourceName, baseDir, FileProbe.SYSTEM);
        FulcrumConfig config = parse(ctx, yamlText);
        if (config == null) {
            throw new ConfigException(ctx.errors());
        }
        return config;
    }

    /** The parse itself; null when {@code ctx} holds errors. Tests use the context's key catalog. */
    static FulcrumConfig parse(ParseContext ctx, String yamlText) {
        if (yamlText.length() > MAX_FILE_BYTES) {
            ctx.error(ctx.fileLocation(), "", tooBig(yamlText.length()));
            return null;
        }
        String text = yamlText.startsWith("\uFEFF") ? yamlText.substring(1) : yamlText;
        Node root;
        try {
            root = newYaml().compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            ctx.error(ctx.at(e.getProblemMark()), "", syntaxMessage(e));
            return null;
        } catch (YAMLException e) {
            ctx.error(ctx.fileLocation(), "", limitMessage(e));
            return null;
        }
        if (root == null) {
            ctx.error(ctx.fileLocation(), "", "the configuration is empty; expected a mapping with at least"
                    + " 'listeners' and 'pools'");
            return null;
        }
        return new ConfigParser(ctx).parse(root);
    }

    private static Yaml newYaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setCodePointLimit((int) MAX_FILE_BYTES);
        options.setAllowRecursiveKeys(false);
        options.setProcessComments(false);
        return new Yaml(new SafeConstructor(options));
    }

    private static String syntaxMessage(MarkedYAMLException e) {
        String problem = e.getProblem() == null ? "invalid YAML" : e.getProblem().trim();
        StringBuilder sb = new StringBuilder("invalid YAML: ").append(problem);
        Mark context = e.getContextMark();
        if (e.getContext() != null) {
            sb.append(" (").append(e.getContext().trim());
            if (context != null && e.getProblemMark() != null
                    && (context.getLine() != e.getProblemMark().getLine()
                    || context.getColumn() != e.getProblemMark().getColumn())) {
                sb.append(" started at line ").append(context.getLine() + 1)
                        .append(", column ").append(context.getColumn() + 1);
            }
            sb.append(')');
        }
        return sb.toString();
    }

    /** SnakeYAML reports its safety limits without a position. */
    private static String limitMessage(YAMLException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("aliases")) {
            return "too many aliases (*name) to lists or mappings: the limit is " + MAX_ALIASES
                    + " per file (this guards against exponential \"billion laughs\" documents)";
        }
        if (m.contains("Nesting Depth")) {
            return "lists and mappings are nested too deeply: the limit is " + MAX_NESTING + " levels";
        }
        if (m.contains("code points")) {
            return tooBig(-1);
        }
        return "invalid YAML: " + m;
    }

    private static String tooBig(long size) {
        return (size >= 0 ? "the file is " + size + " bytes, " : "the file is ")
                + "larger than the limit of " + Sizes.format(MAX_FILE_BYTES) + " for a configuration";
    }

    private static ConfigException fileError(String source, String message) {
        return new ConfigException(List.of(new ConfigError(new Location(source, 1, 1), "", message)));
    }
}
