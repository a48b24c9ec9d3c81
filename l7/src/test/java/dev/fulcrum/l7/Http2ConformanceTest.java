package dev.fulcrum.l7;

import static dev.fulcrum.l7.ProxyFixture.defaultRoute;
import static dev.fulcrum.l7.ProxyFixture.pool;
import static dev.fulcrum.l7.ProxyFixture.pools;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.l7.ProxyFixture.Setup;
import dev.fulcrum.lbcore.Transport;
import dev.fulcrum.testing.H2Spec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP/2 frontend passes every case of h2spec (RFC 9113 and RFC 7541 conformance) on h2c,
 * in front of a real HTTP/1 backend: what the strictness and abuse rules add must not cost a
 * case.
 */
class Http2ConformanceTest {

    private static final int H2SPEC_CASES = 145;

    @RegisterExtension
    final LeakCheckedResources resources = new LeakCheckedResources();

    @Test
    void h2specPassesEveryCaseOnH2c() throws Exception {
        // The backend answers with its name: h2spec 6.9.2/2 needs a body of more than 3 bytes.
        TestBackend web = resources.closing(new TestBackend("conformance-backend"));
        ProxyFixture proxy = resources.closing(new ProxyFixture(new Setup(Transport.NIO, 1),
                List.of(defaultRoute(web.name())), pools(pool(web.name(), web))));

        H2Spec.Result result = H2Spec.run("127.0.0.1", proxy.address().getPort(), false, Duration.ofSeconds(2));

        assertThat(result.failed()).as(result.toString()).isZero();
        assertThat(result.passed()).as(result.toString()).isEqualTo(H2SPEC_CASES);
    }
}
