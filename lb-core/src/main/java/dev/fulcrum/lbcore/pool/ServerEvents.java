package dev.fulcrum.lbcore.pool;

/** Hears every change of a server's state. Called on whichever thread made the change: must not block. */
@FunctionalInterface
public interface ServerEvents {

    ServerEvents NONE = (server, transition) -> { };

    void transition(Server server, Transition transition);
}
