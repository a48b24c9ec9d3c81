package dev.fulcrum.l4;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * First handler of an accepted connection: counts it, reads the current snapshot once, meters
 * the client's reads, starts the connection on its way to a backend with its reads still
 * paused, then leaves the pipeline.
 */
@ChannelHandler.Sharable
final class FrontendHandler extends ChannelInboundHandlerAdapter {

    private final String listener;
    private final Supplier<L4Snapshot> snapshots;
    private final Class<? extends SocketChannel> channelClass;
    private final ChannelGroup open;
    private final BooleanSupplier draining;

    FrontendHandler(String listener, Supplier<L4Snapshot> snapshots, Class<? extends SocketChannel> channelClass,
                    ChannelGroup open, BooleanSupplier draining) {
        this.listener = listener;
        this.snapshots = snapshots;
        this.channelClass = channelClass;
        this.open = open;
        this.draining = draining;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.pipeline().remove(this);
        L4Snapshot snapshot = snapshots.get();
        TcpTarget target = snapshot.target(listener);
        if (target == null) {
            // Listener gone from this snapshot (being drained): refuse rather than guess a pool.
            ctx.close();
            return;
        }
        ListenerMeters meters = target.meters();
        if (draining.getAsBoolean()) {
            meters.refusedDraining.increment();
            ctx.close();
            return;
        }
        meters.accepted();
        ctx.channel().closeFuture().addListener(closed -> meters.closed());
        open.add(ctx.channel());
        ReadMeter clientReads = ReadMeter.install(ctx.channel());
        new TcpConnection(ctx.channel(), target, snapshot.passiveHealth(), channelClass, clientReads).start(ctx);
    }
}
