package dev.fulcrum.l4;

import io.netty.channel.Channel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Who the client is and which address it reached: the socket's own addresses, or those a
 * trusted balancer in front sent in a PROXY protocol header.
 *
 * @param source null when unknown (not an IP connection)
 * @param destination null when unknown
 */
record ClientAddresses(InetSocketAddress source, InetSocketAddress destination) {

    static ClientAddresses of(Channel channel) {
        return new ClientAddresses(inet(channel.remoteAddress()), inet(channel.localAddress()));
    }

    /**
     * The addresses a PROXY header names. A LOCAL header (the balancer's own health check) and
     * an UNKNOWN protocol carry none: the connection keeps its socket's addresses.
     */
    static ClientAddresses of(HAProxyMessage header, ClientAddresses socket) {
        if (header.command() != HAProxyCommand.PROXY || header.sourceAddress() == null
                || header.destinationAddress() == null) {
            return socket;
        }
        InetAddress source = NetUtil.createInetAddressFromIpAddressString(header.sourceAddress());
        InetAddress destination = NetUtil.createInetAddressFromIpAddressString(header.destinationAddress());
        if (source == null || destination == null) {
            return socket;
        }
        return new ClientAddresses(new InetSocketAddress(source, header.sourcePort()),
                new InetSocketAddress(destination, header.destinationPort()));
    }

    private static InetSocketAddress inet(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet : null;
    }
}
