package dev.fulcrum.l4;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;

/**
 * One relayed connection: the client channel, the backend channel and how far each direction
 * has got. Both channels share one event loop, so the state needs no synchronisation.
 */
final class TcpSession {

    private final Channel client;
    private final Channel backend;
    private int finishedDirections;
    private boolean ending;

    TcpSession(Channel client, Channel backend) {
        this.client = client;
        this.backend = backend;
    }

    Channel client() {
        return client;
    }

    Channel backend() {
        return backend;
    }

    /**
     * {@code from} sent FIN: send FIN to {@code to} once everything already relayed is written
     * (shutting output down earlier would drop what is still queued).
     */
    void inputEnded(Channel to) {
        to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) written -> {
            if (!written.isSuccess()) {
                abort();
                return;
            }
            ((DuplexChannel) to).shutdownOutput().addListener((ChannelFutureListener) shut -> {
                if (shut.isSuccess()) {
                    directionFinished();
                } else {
                    abort();
                }
            });
        });
    }

    private void directionFinished() {
        if (++finishedDirections == 2) {
            close();
        }
    }

    /** True once {@link #close()} or {@link #abort()} began: failures after that are expected. */
    boolean ending() {
        return ending;
    }

    /** Orderly end: whatever is queued on either side is flushed first, then both close. */
    void close() {
        ending = true;
        flushAndClose(client);
        flushAndClose(backend);
    }

    private static void flushAndClose(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    /** Something broke (a reset, a failed write): both sides are reset, nothing is flushed. */
    void abort() {
        ending = true;
        reset(client);
        reset(backend);
    }

    private static void reset(Channel channel) {
        if (channel.isOpen()) {
            // SO_LINGER 0 makes close send RST, so the peer learns the stream is broken.
            try {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException alreadyClosed) {
                // nothing to reset: the socket is gone
            }
        }
        channel.close();
    }
}
