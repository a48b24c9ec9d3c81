package dev.fulcrum.l4;

import dev.fulcrum.lbcore.Transport;

/** The relay tests again on JDK NIO, the transport used where epoll is missing. */
class TcpProxyNioTest extends TcpProxyTest {

    @Override
    Transport transport() {
        return Transport.NIO;
    }
}
