package dev.fulcrum.config;

/** A virtual IP (address with prefix length) that the active node holds on an interface. */
public record VipConfig(String address, int prefixLength, String iface) {
}
