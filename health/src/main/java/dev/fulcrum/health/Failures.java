package dev.fulcrum.health;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.CodecException;
import io.netty.handler.ssl.NotSslRecordException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/** Says in a few words why a check failed, from the exception Netty reported. */
final class Failures {

    /** Longer messages are cut: a reason is one line of a log or a status page. */
    private static final int MAX_MESSAGE = 200;

    private Failures() {
    }

    static String describe(Throwable failure) {
        Throwable cause = unwrap(failure);
        String message = cause.getMessage() == null ? "" : cause.getMessage();
        String lower = message.toLowerCase(Locale.ROOT);
        if (cause instanceof ConnectTimeoutException) {
            return "connect timed out";
        }
        if (cause instanceof ConnectException) {
            return lower.contains("refused") ? "connection refused" : "connect failed: " + tidy(message);
        }
        if (cause instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
            return "address not resolved";
        }
        if (cause instanceof ClosedChannelException) {
            return "connection closed";
        }
        if (cause instanceof NotSslRecordException) {
            return "the server does not speak TLS";
        }
        if (cause instanceof SSLException) {
            return tidy(message.isEmpty() ? cause.getClass().getSimpleName() : message);
        }
        if (cause instanceof IOException && lower.contains("reset")) {
            return "connection reset";
        }
        return message.isEmpty() ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + tidy(message);
    }

    /** The exception a codec wrapped, which says what actually went wrong. */
    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CodecException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** One line of at most {@value #MAX_MESSAGE} characters: what a server says goes on a status page. */
    static String tidy(String message) {
        String line = message.replaceAll("\\s+", " ").trim();
        return line.length() <= MAX_MESSAGE ? line : line.substring(0, MAX_MESSAGE) + "...";
    }
}
