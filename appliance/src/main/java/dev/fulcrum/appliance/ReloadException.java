package dev.fulcrum.appliance;

import java.util.List;

/** A configuration that cannot replace the running one; the running one stays. */
public final class ReloadException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ReloadException(List<String> problems, Throwable cause) {
        super(String.join("\n", problems), cause);
        this.problems = List.copyOf(problems);
    }

    public ReloadException(List<String> problems) {
        this(problems, null);
    }

    /** Each problem on a line of its own, naming the file and position where one is known. */
    public List<String> problems() {
        return problems;
    }
}
