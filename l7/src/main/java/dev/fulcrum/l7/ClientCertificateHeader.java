package dev.fulcrum.l7;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * mTLS: tells backends who the client is. Every request loses whatever the client put in the
 * header (it could claim anyone) and gets the subject of the certificate verified in the
 * handshake, when there is one.
 */
@ChannelHandler.Sharable
final class ClientCertificateHeader extends ChannelInboundHandlerAdapter {

    private final String header;

    ClientCertificateHeader(String header) {
        this.header = header;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            apply(request, header, ctx.pipeline());
        }
        ctx.fireChannelRead(msg);
    }

    /** Sets the header to the verified subject of the connection in this pipeline, or removes it. */
    static void apply(HttpRequest request, String header, ChannelPipeline connection) {
        request.headers().remove(header);
        String subject = verifiedSubject(connection);
        if (subject != null) {
            request.headers().set(header, subject);
        }
    }

    private static String verifiedSubject(ChannelPipeline pipeline) {
        SslHandler ssl = pipeline.get(SslHandler.class);
        if (ssl == null) {
            return null;
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf
                    ? leaf.getSubjectX500Principal().getName() : null;
        } catch (SSLPeerUnverifiedException none) {
            return null;
        }
    }
}
