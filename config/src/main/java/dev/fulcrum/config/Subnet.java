package dev.fulcrum.config;

/**
 * An IP network: an IPv4 or IPv6 literal and a prefix length (32 or 128 for one address,
 * 0 for every address of that family).
 */
public record Subnet(String address, int prefixLength) {

    @Override
    public String toString() {
        return address + "/" + prefixLength;
    }
}
