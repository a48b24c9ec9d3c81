package dev.fulcrum.tls;

import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;

/** The cipher suites a listener offers, as IANA (Java) names both providers understand. */
final class CipherSuites {

    /**
     * TLS 1.3 suites. They are always enabled: the configured list is about TLS 1.2, and the JDK
     * provider would otherwise take a list without them as "no TLS 1.3".
     */
    static final List<String> TLS13 = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");

    /** TLS 1.2 default: forward secrecy (ECDHE) and AEAD ciphers only. */
    static final List<String> TLS12_DEFAULT = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private CipherSuites() {
    }

    /**
     * The suites to enable: the configured TLS 1.2 suites (OpenSSL or IANA names) or the default,
     * then the TLS 1.3 suites. An unknown or unsupported name is an error rather than silently
     * dropped, so a typo cannot leave a listener with fewer ciphers than the operator expects.
     */
    static List<String> resolve(String owner, List<String> configured, SslProvider provider)
            throws TlsConfigException {
        Set<String> suites = new LinkedHashSet<>();
        if (configured.isEmpty()) {
            suites.addAll(TLS12_DEFAULT);
        } else {
            Set<String> supported = provider == SslProvider.JDK ? jdkSupported() : null;
            for (String name : configured) {
                String iana = name.startsWith("TLS_") || name.startsWith("SSL_")
                        ? name : CipherSuiteConverter.toJava(name, "TLS");
                if (iana == null) {
                    throw new TlsConfigException(owner + ": unknown cipher suite " + name);
                }
                boolean available = supported == null ? OpenSsl.isCipherSuiteAvailable(iana) : supported.contains(iana);
                if (!available) {
                    throw new TlsConfigException(owner + ": cipher suite " + name + " is not supported by "
                            + TlsProvider.name(provider));
                }
                suites.add(iana);
            }
        }
        suites.addAll(TLS13);
        return new ArrayList<>(suites);
    }

    private static Set<String> jdkSupported() throws TlsConfigException {
        try {
            return new HashSet<>(Arrays.asList(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites()));
        } catch (NoSuchAlgorithmException e) {
            throw new TlsConfigException("the JDK offers no default TLS context", e);
        }
    }
}
