package dev.fulcrum.lbcore;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Locale;

/**
 * The socket transport: native epoll when the platform has it, else JDK NIO.
 *
 * <p>A channel class must match the I/O handler of the event loop it is registered on, so
 * everything that creates channels asks the same {@code Transport} for both.
 */
public enum Transport {
    EPOLL {
        @Override
        public IoHandlerFactory ioHandlerFactory() {
            // Netty's epoll handler, patched until Netty keeps a half-closed socket registered.
            return EpollRegistrationWorkaround.newFactory();
        }

        @Override
        public Class<? extends ServerChannel> serverChannelClass() {
            return EpollServerSocketChannel.class;
        }

        @Override
        public Class<? extends SocketChannel> socketChannelClass() {
            return EpollSocketChannel.class;
        }
    },
    NIO {
        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        public Class<? extends ServerChannel> serverChannelClass() {
            return NioServerSocketChannel.class;
        }

        @Override
        public Class<? extends SocketChannel> socketChannelClass() {
            return NioSocketChannel.class;
        }
    };

    /** System property naming the transport: {@code nio}, {@code epoll}, or absent for the best available. */
    public static final String PROPERTY = "fulcrum.transport";

    public abstract IoHandlerFactory ioHandlerFactory();

    public abstract Class<? extends ServerChannel> serverChannelClass();

    public abstract Class<? extends SocketChannel> socketChannelClass();

    /** True when several sockets may bind the same port and the kernel spreads accepts over them. */
    public boolean supportsReusePort() {
        return this == EPOLL;
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Epoll when available, unless {@value #PROPERTY} says otherwise. */
    public static Transport select() {
        return select(System.getProperty(PROPERTY, ""));
    }

    static Transport select(String wanted) {
        switch (wanted.trim().toLowerCase(Locale.ROOT)) {
            case "":
                return Epoll.isAvailable() ? EPOLL : NIO;
            case "nio":
                return NIO;
            case "epoll":
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException(PROPERTY + "=epoll but epoll is not available",
                            Epoll.unavailabilityCause());
                }
                return EPOLL;
            default:
                throw new IllegalArgumentException(PROPERTY + " must be nio or epoll, not \"" + wanted + "\"");
        }
    }
}
