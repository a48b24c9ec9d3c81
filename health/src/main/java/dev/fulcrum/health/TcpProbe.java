package dev.fulcrum.health;

import dev.fulcrum.lbcore.pool.Server;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.Promise;

/** Passes when the connection is established. */
final class TcpProbe implements Probe {

    @Override
    public void prepare(ChannelPipeline pipeline, Server server, Promise<CheckResult> result) {
        pipeline.addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                result.trySuccess(CheckResult.PASS);
                ctx.fireChannelActive();
            }
        });
    }
}
