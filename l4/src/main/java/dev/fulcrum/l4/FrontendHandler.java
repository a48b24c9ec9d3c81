package dev.fulcrum.l4;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import java.util.function.Supplier;

/**
 * First handler of an accepted connection: counts it, reads the current snapshot once, starts
 * dialing the backend with the client's reads still paused, then leaves the pipeline.
 */
@ChannelHandler.Sharable
final class FrontendHandler extends ChannelInboundHandlerAdapter {

    private final String listener;
    private final Supplier<L4Snapshot> snapshots;
    private final Class<? extends SocketChannel> channelClass;

    FrontendHandler(String listener, Supplier<L4Snapshot> snapshots, Class<? extends SocketChannel> channelClass) {
        this.listener = listener;
        this.snapshots = snapshots;
        this.channelClass = channelClass;
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
        meters.accepted();
        ctx.channel().closeFuture().addListener(closed -> meters.closed());
        EarlyInput early = new EarlyInput();
        ctx.pipeline().addLast(early);
        new BackendDialer(ctx.channel(), early, target, snapshot.passiveHealth(), channelClass).dial();
    }
}
