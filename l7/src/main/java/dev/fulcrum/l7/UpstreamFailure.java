package dev.fulcrum.l7;

import dev.fulcrum.lbcore.pool.Server;

/**
 * Why a backend exchange failed when no exception said so, for passive health, which wants
 * a cause. Stackless: these are outcomes, not bugs.
 */
final class UpstreamFailure extends Exception {

    private static final long serialVersionUID = 1L;

    /** The HTTP/2 code the server reset its stream with; -1: it did not. */
    final long resetCode;

    private UpstreamFailure(String message) {
        this(message, -1);
    }

    private UpstreamFailure(String message, long resetCode) {
        super(message, null, false, false);
        this.resetCode = resetCode;
    }

    static UpstreamFailure closedBeforeResponse(Server server) {
        return new UpstreamFailure(server + " closed the connection before responding");
    }

    /** The server says it did not process the request (REFUSED_STREAM, or above a GOAWAY's last stream). */
    static final class Unprocessed extends Exception {

        private static final long serialVersionUID = 1L;

        private Unprocessed(String message) {
            super(message, null, false, false);
        }
    }

    static Unprocessed unprocessed(Server server, String what) {
        return new Unprocessed(server + " " + what);
    }

    static UpstreamFailure reset(Server server, long code) {
        return new UpstreamFailure(server + " reset the stream (HTTP/2 error " + code + ")", code);
    }

    static UpstreamFailure closedBeforeSettings(Server server) {
        return new UpstreamFailure(server + " closed the HTTP/2 connection before its SETTINGS");
    }

    static UpstreamFailure silent(Server server) {
        return new UpstreamFailure(server + " sent nothing within the route's response_idle timeout");
    }

    static UpstreamFailure of(Failure failure, Server server) {
        return new UpstreamFailure(server + ": " + failure.reason);
    }

    static UpstreamFailure noResponseInTime(Server server) {
        return new UpstreamFailure(server + " sent no response head within the route's response timeout");
    }
}
