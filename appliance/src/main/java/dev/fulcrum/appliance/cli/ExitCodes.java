package dev.fulcrum.appliance.cli;

/** The exit codes every subcommand keeps to. */
final class ExitCodes {
    static final int OK = 0;
    /** The input (a config file, a URL, a header) is wrong. */
    static final int INVALID_INPUT = 1;
    /** The command line itself is wrong; picocli uses the same number. */
    static final int USAGE = 2;

    /** Stopping failed (sysexits EX_SOFTWARE): something did not close cleanly. */
    static final int STOP_FAILED = 70;

    private ExitCodes() {
    }
}
