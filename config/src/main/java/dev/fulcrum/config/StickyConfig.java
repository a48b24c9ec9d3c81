package dev.fulcrum.config;

/** Sticky-cookie session persistence: the cookie that pins a client to a server. */
public record StickyConfig(String cookie) {
}
