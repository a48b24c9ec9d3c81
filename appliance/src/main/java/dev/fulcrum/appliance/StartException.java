package dev.fulcrum.appliance;

import java.util.List;

/** The appliance could not start: every reason, one a line, nothing left bound. */
public final class StartException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public StartException(List<String> problems, Throwable cause) {
        super(String.join("\n", problems), cause);
        this.problems = List.copyOf(problems);
    }

    public StartException(List<String> problems) {
        this(problems, null);
    }

    public List<String> problems() {
        return problems;
    }
}
