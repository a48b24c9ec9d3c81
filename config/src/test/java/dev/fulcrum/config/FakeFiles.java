package dev.fulcrum.config;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** A {@link FileProbe} over files held in memory: parsing tests with it touch no disk. */
final class FakeFiles implements FileProbe {

    private final Map<Path, String> files = new HashMap<>();
    private final Set<Path> unreadable = new HashSet<>();

    /** A readable file at {@code path} (its parent directories exist too). */
    FakeFiles file(Path path, String content) {
        files.put(path, content);
        return this;
    }

    /** A file that exists but cannot be read. */
    FakeFiles unreadable(Path path) {
        files.put(path, "");
        unreadable.add(path);
        return this;
    }

    @Override
    public boolean exists(Path path) {
        return files.containsKey(path) || isDirectory(path);
    }

    @Override
    public boolean isRegularFile(Path path) {
        return files.containsKey(path);
    }

    @Override
    public boolean isDirectory(Path path) {
        return files.keySet().stream().anyMatch(f -> !f.equals(path) && f.startsWith(path));
    }

    @Override
    public boolean isReadable(Path path) {
        return exists(path) && !unreadable.contains(path);
    }

    @Override
    public boolean isWritable(Path path) {
        return exists(path);
    }

    @Override
    public String read(Path path) throws IOException {
        if (!files.containsKey(path) || unreadable.contains(path)) {
            throw new NoSuchFileException(path.toString());
        }
        return files.get(path);
    }
}
