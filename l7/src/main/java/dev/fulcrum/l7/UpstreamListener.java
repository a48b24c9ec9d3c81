package dev.fulcrum.l7;

/** The frontend that an upstream connection currently serves; called on their shared event loop. */
interface UpstreamListener {

    /** A response object (head or content) read from the backend; the listener owns it. */
    void onUpstreamRead(Object msg);

    /** The backend's current read batch is over: time to flush towards the client. */
    void onUpstreamReadComplete();

    /** The backend can take more request bytes again (or no longer can). */
    void onUpstreamWritabilityChanged(boolean writable);

    /** The listener's own handling of a read failed: a bug, which it answers (500 or a cut response). */
    void onInternalError(Throwable error);

    /** The connection closed; cause is null for an orderly close. */
    void onUpstreamClosed(Throwable cause);
}
