package dev.fulcrum.config;

/** Where a value came from: a file and a 1-based line and column. */
public record Location(String file, int line, int column) {

    public static final Location NONE = new Location("<none>", 0, 0);

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
