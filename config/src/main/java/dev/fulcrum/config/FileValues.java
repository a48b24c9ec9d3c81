package dev.fulcrum.config;

import static dev.fulcrum.config.Scalars.text;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Parsers for the files a configuration names: relative paths resolve against the directory of
 * the configuration file, and each file is checked through a {@link FileProbe}.
 */
final class FileValues {

    private final Path baseDir;
    private final FileProbe probe;

    FileValues(Path baseDir, FileProbe probe) {
        this.baseDir = baseDir;
        this.probe = probe;
    }

    /** A path to a readable regular file. */
    ValueParser<Path> readableFile(String what) {
        return node -> {
            String t = text(node, "the path of " + what);
            Path p;
            try {
                p = baseDir.resolve(t).normalize();
            } catch (InvalidPathException e) {
                throw new Invalid("invalid path '" + t + "': " + e.getReason());
            }
            String shown = p.toString().equals(t) ? "'" + t + "'" : "'" + t + "' (" + p + ")";
            if (!probe.exists(p)) {
                throw new Invalid(what + " " + shown + " does not exist; relative paths are resolved"
                        + " against the directory of the configuration file");
            }
            if (!probe.isRegularFile(p)) {
                throw new Invalid(what + " " + shown + " is not a regular file");
            }
            if (!probe.isReadable(p)) {
                throw new Invalid(what + " " + shown + " is not readable");
            }
            return p;
        };
    }

    /**
     * A readable file holding a secret of at least {@code minBytes} bytes (surrounding
     * whitespace not counted). The secret itself never appears in an error.
     */
    ValueParser<Path> secretFile(String what, int minBytes) {
        return readableFile(what).then(p -> {
            long size;
            try {
                size = probe.read(p).strip().length();
            } catch (IOException e) {
                throw new Invalid(what + " '" + p + "' cannot be read: " + e.getMessage());
            }
            if (size < minBytes) {
                throw new Invalid(what + " '" + p + "' holds " + size + " characters; a key needs at least "
                        + minBytes + " (e.g. 32 random bytes, base64)");
            }
            return p;
        });
    }

    /**
     * A file Fulcrum appends to: {@code stdout}, or a path whose directory exists and is
     * writable (the file itself is created when missing).
     */
    ValueParser<Optional<Path>> appendableFile(String what) {
        return node -> {
            String t = text(node, "stdout or the path of " + what);
            if (t.equals("stdout")) {
                return Optional.empty();
            }
            Path p;
            try {
                p = baseDir.resolve(t).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                throw new Invalid("invalid path '" + t + "': " + e.getReason());
            }
            Path dir = p.getParent();
            if (probe.isDirectory(p)) {
                throw new Invalid(what + " '" + t + "' is a directory; expected a file path");
            }
            if (dir == null || !probe.isDirectory(dir)) {
                throw new Invalid("the directory of " + what + " '" + t + "' does not exist (" + dir + ")");
            }
            if (probe.exists(p) ? !probe.isWritable(p) : !probe.isWritable(dir)) {
                throw new Invalid(what + " '" + t + "' is not writable");
            }
            return Optional.of(p);
        };
    }
}
