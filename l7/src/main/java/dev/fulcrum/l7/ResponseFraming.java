package dev.fulcrum.l7;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;

/** How a backend's response head is framed for the client that asked, and what that costs. */
final class ResponseFraming {

    private ResponseFraming() {
    }

    /** Whether the response's end is known without the backend closing (so the body can end cleanly). */
    static boolean isFramed(HttpResponse response, boolean headRequest) {
        int code = response.status().code();
        return HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response)
                || headRequest || code == 204 || code == 304;
    }

    /**
     * Fits the head to the client in place and says whether the client connection must close
     * after it: an HTTP/1.0 client cannot read chunks, and a body ended by the backend closing
     * is chunked for an HTTP/1.1 client so that its connection survives.
     *
     * @param close whether the connection is closing anyway
     */
    static boolean fitToClient(HttpResponse response, boolean framed, boolean http10Client, boolean clientKeepAlive,
                               boolean close) {
        HttpHeaders headers = response.headers();
        if (http10Client && HttpUtil.isTransferEncodingChunked(response)) {
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
            close = true;
        } else if (!framed) {
            if (http10Client) {
                close = true;
            } else {
                HttpUtil.setTransferEncodingChunked(response, true);
            }
        }
        if (close || !clientKeepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10Client) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return close;
    }
}
