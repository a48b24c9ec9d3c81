package dev.fulcrum.l7;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;

/**
 * Which hosts an HTTP/2 connection over TLS may carry requests for (RFC 9113 9.1.1): the
 * names its certificate covers (DNS and IP subject alternative names, one-label wildcards),
 * and the name the client asked for by SNI, which it connected for whatever the certificate
 * says. A client that sent no SNI (it connected to an address) coalesced nothing. A browser reuses a connection for another host ("coalescing") only when the
 * certificate covers it; a stream for any other host is misdirected (421, RFC 9113 9.1.2).
 * Read once per connection, when its first stream needs it.
 */
final class CertificateCoverage {

    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;

    private final List<String> dnsNames;
    private final List<byte[]> ipAddresses;
    private final String sniName;

    private CertificateCoverage(List<String> dnsNames, List<byte[]> ipAddresses, String sniName) {
        this.dnsNames = dnsNames;
        this.ipAddresses = ipAddresses;
        this.sniName = sniName;
    }

    /** The coverage of the TLS connection in this pipeline; null when it has none (plain HTTP/2). */
    static CertificateCoverage of(ChannelPipeline connection) {
        SslHandler ssl = connection.get(SslHandler.class);
        if (ssl == null) {
            return null;
        }
        SSLSession session = ssl.engine().getSession();
        List<String> dns = new ArrayList<>();
        List<byte[]> ips = new ArrayList<>();
        Certificate[] local = session.getLocalCertificates();
        if (local != null && local.length > 0 && local[0] instanceof X509Certificate leaf) {
            readNames(leaf, dns, ips);
        }
        return new CertificateCoverage(dns, ips, requestedName(session));
    }

    private static void readNames(X509Certificate leaf, List<String> dns, List<byte[]> ips) {
        Collection<List<?>> names;
        try {
            names = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException unreadable) {
            return;
        }
        if (names == null) {
            return;
        }
        for (List<?> name : names) {
            if (name.size() < 2 || !(name.get(0) instanceof Integer type)) {
                continue;
            }
            if (type == DNS_NAME && name.get(1) instanceof String host) {
                dns.add(host.toLowerCase(Locale.ROOT));
            } else if (type == IP_ADDRESS && name.get(1) instanceof String ip) {
                byte[] bytes = NetUtil.createByteArrayFromIpAddressString(ip);
                if (bytes != null) {
                    ips.add(bytes);
                }
            }
        }
    }

    private static String requestedName(SSLSession session) {
        if (session instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) {
                    return host.getAsciiName().toLowerCase(Locale.ROOT);
                }
            }
        }
        return null;
    }

    /** Whether a request for this authority (host[:port]) does not belong on this connection. */
    boolean misdirects(String authority) {
        if (sniName == null) {
            // Connected without a name (to an address): nothing was coalesced by certificate.
            return false;
        }
        String host = hostOf(authority).toLowerCase(Locale.ROOT);
        if (host.isEmpty() || host.equals(sniName)) {
            return false;
        }
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
        if (ip != null) {
            for (byte[] covered : ipAddresses) {
                if (Arrays.equals(covered, ip)) {
                    return false;
                }
            }
            return true;
        }
        for (String name : dnsNames) {
            if (matches(name, host)) {
                return false;
            }
        }
        return true;
    }

    /** RFC 6125 6.4.3: "*.example.com" covers exactly one label before ".example.com". */
    private static boolean matches(String pattern, String host) {
        if (pattern.startsWith("*.")) {
            String suffix = pattern.substring(1);
            int dot = host.indexOf('.');
            return dot > 0 && host.substring(dot).equals(suffix);
        }
        return pattern.equals(host);
    }

    private static String hostOf(String authority) {
        if (authority.startsWith("[")) {
            int end = authority.indexOf(']');
            return end > 0 ? authority.substring(1, end) : authority;
        }
        int colon = authority.lastIndexOf(':');
        return colon >= 0 && authority.indexOf(':') == colon ? authority.substring(0, colon) : authority;
    }

    @Override
    public String toString() {
        return "CertificateCoverage" + dnsNames + " sni=" + sniName + " ips=" + ipAddresses.size();
    }
}
