package dev.fulcrum.config;

/**
 * One problem found in a configuration, positioned where an editor can jump to it.
 *
 * @param path where in the document, e.g. {@code listeners[0].routes[2].pool}
 */
public record ConfigError(Location location, String path, String message) {

    /** {@code FILE:LINE:COL: path: message}, the form editors and compilers use. */
    @Override
    public String toString() {
        return path.isEmpty() ? location + ": " + message : location + ": " + path + ": " + message;
    }
}
