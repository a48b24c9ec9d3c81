package dev.fulcrum.l4;

/** The relay tests again on the same transport with splice turned off: the buffer relay. */
class TcpProxyBufferTest extends TcpProxyTest {

    @Override
    String listenerSettings() {
        return "splice: false";
    }

    @Override
    boolean expectsSplice() {
        return false;
    }
}
