package dev.fulcrum.config;

/** HTTP status codes from {@code from} to {@code to}, both included: {@code 200-399} or one code. */
public record StatusRange(int from, int to) {

    public static final StatusRange SUCCESS_OR_REDIRECT = new StatusRange(200, 399);

    public StatusRange {
        if (from < 100 || to > 599 || from > to) {
            throw new IllegalArgumentException("invalid status range " + from + "-" + to);
        }
    }

    public boolean contains(int status) {
        return status >= from && status <= to;
    }

    @Override
    public String toString() {
        return from == to ? Integer.toString(from) : from + "-" + to;
    }
}
