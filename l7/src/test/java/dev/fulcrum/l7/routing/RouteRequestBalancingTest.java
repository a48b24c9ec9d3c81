package dev.fulcrum.l7.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** RouteRequest as the balancer's context: client, first header value, cookie. */
class RouteRequestBalancingTest {

    @Test
    void answersForTheRequestItWasLastFilledWith() throws Exception {
        RouteRequest request = new RouteRequest();
        assertThat(request.header("x-user")).isNull();
        assertThat(request.cookie("cart")).isNull();

        InetSocketAddress client = new InetSocketAddress("192.0.2.7", 51000);
        HttpHeaders headers = new DefaultHttpHeaders().add("Host", "shop.example").add("X-User", "alice")
                .add("X-User", "mallory").add("Cookie", "theme=dark; cart=c-1");
        request.parse("GET", "/cart", headers);
        assertThat(request.forClient(client)).isSameAs(request);
        assertThat(request.client()).isEqualTo(client);
        assertThat(request.header("x-user")).isEqualTo("alice");
        assertThat(request.cookie("cart")).isEqualTo("c-1");

        request.parse("GET", "/cart", new DefaultHttpHeaders().add("Host", "shop.example"));
        assertThat(request.header("x-user")).isNull();
        assertThat(request.cookie("cart")).isNull();
        assertThat(request.client()).as("the connection's client stays").isEqualTo(client);
    }
}
