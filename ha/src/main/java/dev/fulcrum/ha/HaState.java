package dev.fulcrum.ha;

import java.util.Locale;

/** Where a node of the pair stands. */
public enum HaState {
    /** Just started: neither serving the virtual IPs nor yet entitled to. */
    INIT,
    /** Ready to take over; another node is (or may be) master. */
    BACKUP,
    /** Holds the virtual IPs. */
    MASTER,
    /** A tracked condition fails: this node must not be master. */
    FAULT;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
