package dev.fulcrum.l4;

import dev.fulcrum.config.ProxyProtocol;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.Inet4Address;
import java.net.InetAddress;

/** The PROXY protocol header that tells a backend who the client is and which address it reached. */
final class ProxyHeaders {

    private ProxyHeaders() {
    }

    /** Source: the client's address; destination: the listener address the client connected to. */
    static HAProxyMessage of(ProxyProtocol version, ClientAddresses client) {
        HAProxyProtocolVersion wire = version == ProxyProtocol.V1 ? HAProxyProtocolVersion.V1
                : HAProxyProtocolVersion.V2;
        if (client.source() == null || client.destination() == null) {
            // Not an IP connection: say so rather than invent addresses.
            return new HAProxyMessage(wire, HAProxyCommand.PROXY, HAProxyProxiedProtocol.UNKNOWN,
                    null, null, 0, 0);
        }
        InetAddress src = client.source().getAddress();
        InetAddress dst = client.destination().getAddress();
        boolean ipv4 = src instanceof Inet4Address && dst instanceof Inet4Address;
        return new HAProxyMessage(wire, HAProxyCommand.PROXY,
                ipv4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
                text(src, ipv4), text(dst, ipv4), client.source().getPort(), client.destination().getPort());
    }

    /** Both addresses of a header are one family: an IPv4 one beside IPv6 is written IPv4-mapped. */
    private static String text(InetAddress address, boolean ipv4) {
        String literal = address.getHostAddress();
        return ipv4 || !(address instanceof Inet4Address) ? literal : "::ffff:" + literal;
    }
}
