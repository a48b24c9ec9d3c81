package dev.fulcrum.l7;

/**
 * The user event an http listener sends down each client connection when it stops: an idle
 * keep-alive connection closes at once, one with a request in flight closes once its response
 * is sent (and says so with {@code Connection: close}).
 */
final class ListenerStopping {

    static final ListenerStopping EVENT = new ListenerStopping();

    private ListenerStopping() {
    }

    @Override
    public String toString() {
        return "ListenerStopping";
    }
}
