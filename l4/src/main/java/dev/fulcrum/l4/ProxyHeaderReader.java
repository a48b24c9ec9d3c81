package dev.fulcrum.l4;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the PROXY protocol header (v1 or v2) a trusted balancer sends first, then hands the
 * connection on with the client addresses it names. Netty's decoder removes itself after the
 * header and passes on whatever followed it; anything but a valid header closes the connection.
 */
final class ProxyHeaderReader extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyHeaderReader.class);

    private final TcpConnection connection;
    private boolean done;

    private ProxyHeaderReader(TcpConnection connection) {
        this.connection = connection;
    }

    /** Adds the decoder and this reader and asks for the first read. */
    static void install(ChannelHandlerContext ctx, TcpConnection connection) {
        ctx.pipeline().addLast(new HAProxyMessageDecoder(), new ProxyHeaderReader(connection));
        ctx.channel().read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HAProxyMessage header && !done) {
            done = true;
            try {
                ctx.pipeline().remove(this);
                connection.proxyHeaderRead(header);
            } finally {
                header.release();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (done) {
            return;
        }
        done = true;
        LOG.debug("{}: no valid PROXY header from a trusted peer: {}", ctx.channel(), cause.toString());
        connection.refuseBadProxyHeader();
    }
}
