package dev.fulcrum.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the parser asks the file system about the files a configuration names (certificates,
 * keys, token and secret files, access logs). The loader uses {@link #SYSTEM}; parsing tests may
 * pass a fake and touch no disk.
 */
interface FileProbe {

    boolean exists(Path path);

    boolean isRegularFile(Path path);

    boolean isDirectory(Path path);

    boolean isReadable(Path path);

    boolean isWritable(Path path);

    /** The whole file as UTF-8 text (only small secret files are read). */
    String read(Path path) throws IOException;

    /** The real file system. */
    FileProbe SYSTEM = new FileProbe() {
        @Override
        public boolean exists(Path path) {
            return Files.exists(path);
        }

        @Override
        public boolean isRegularFile(Path path) {
            return Files.isRegularFile(path);
        }

        @Override
        public boolean isDirectory(Path path) {
            return Files.isDirectory(path);
        }

        @Override
        public boolean isReadable(Path path) {
            return Files.isReadable(path);
        }

        @Override
        public boolean isWritable(Path path) {
            return Files.isWritable(path);
        }

        @Override
        public String read(Path path) throws IOException {
            return new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
        }
    };
}
