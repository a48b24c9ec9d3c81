package dev.fulcrum.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The table of keys each listener protocol allows, and how its errors read. */
class ProtocolKeysTest {

    @TempDir
    Path dir;

    @BeforeEach
    void files() {
        Fixtures.files(dir);
    }

    private List<String> check(String yaml) {
        return Fixtures.errors(yaml, dir);
    }

    @Test
    void aNestedKeyIsReportedAtItselfAndOnlyWhenItsSectionIsAllowed() {
        assertThat(check("""
                certificates:
                  - {name: site, cert: certs/site.crt, key: certs/site.key}
                listeners:
                  - name: pass
                    bind: 0.0.0.0:8443
                    protocol: tls
                    certificates: [site]
                    pool: app
                    tls: {client_cert_header: X-Client-DN}
                  - name: web
                    bind: 0.0.0.0:8080
                    protocol: http
                    routes: [{pool: app}]
                    tls: {client_cert_header: X-Client-DN}
                  - name: secure
                    bind: 0.0.0.0:8444
                    protocol: https
                    certificates: [site]
                    routes: [{pool: app}]
                    tls: {client_cert_header: X-Client-DN}
                """ + ValidationTest.POOLS)).containsExactly(
                "9:11: listeners[0].tls.client_cert_header: 'tls.client_cert_header' applies only to https"
                        + " listeners, not tls (a tls listener forwards bytes and sends no headers)",
                "14:5: listeners[1].tls: 'tls' applies only to https and tls listeners, not http");
    }

    @Test
    void localRepliesOnATcpRouteAreRefusedAfterTheirValuesAreChecked() {
        assertThat(check("""
                listeners:
                  - name: db
                    bind: 0.0.0.0:5432
                    protocol: tcp
                    routes:
                      - {redirect: {status: 301}}
                """ + ValidationTest.POOLS)).containsExactly(
                "6:10: listeners[0].routes[0].redirect: 'redirect' on a route applies only to http and https"
                        + " listeners, not tcp");
    }

    @Test
    void theTableAnswersPerProtocol() {
        assertThat(ProtocolKeys.allows(ProtocolKeys.Scope.LISTENER, "splice", Protocol.TCP)).isTrue();
        assertThat(ProtocolKeys.allows(ProtocolKeys.Scope.LISTENER, "splice", Protocol.HTTPS)).isFalse();
        assertThat(ProtocolKeys.allows(ProtocolKeys.Scope.ROUTE, "retries", Protocol.TLS)).isFalse();
        assertThat(ProtocolKeys.allows(ProtocolKeys.Scope.MATCH, "sni", Protocol.TLS)).isTrue();
        assertThat(ProtocolKeys.allows(ProtocolKeys.Scope.ROUTE, "name", Protocol.TCP)).as("not in the table").isTrue();
        assertThat(ProtocolKeys.describe(java.util.EnumSet.of(Protocol.HTTP, Protocol.HTTPS, Protocol.TCP)))
                .isEqualTo("http, https and tcp");
    }
}
