package dev.fulcrum.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/** A blocking JDK client: handshake, one echoed message, and what the server presented. */
final class JdkClient {

    record Result(SSLSession session, X509Certificate served, String alpn) {
        String servedSubject() {
            return served.getSubjectX500Principal().getName();
        }
    }

    private final SSLContext context;
    private String sni;
    private List<String> protocols = List.of("TLSv1.3", "TLSv1.2");
    private List<String> alpn = List.of();

    private JdkClient(SSLContext context) {
        this.context = context;
    }

    /** Trusts whatever the server sends: for tests about which certificate it sends. */
    static JdkClient trustingAll() {
        return new JdkClient(context(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers()));
    }

    static JdkClient trusting(X509Certificate ca) {
        return new JdkClient(context(null, trustManagers(ca)));
    }

    /**
     * Presents {@code identity} as its client certificate even when the server's list of
     * acceptable CAs does not include its issuer (the JDK would otherwise send nothing); trusts anything.
     */
    static JdkClient presenting(TestPki.Issued identity) {
        X509Certificate[] chain = {identity.cert()};
        KeyManager always = new X509ExtendedKeyManager() {
            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return "client";
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                return "client";
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return chain;
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return identity.key();
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[] {"client"};
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return new String[0];
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }
        };
        return new JdkClient(context(new KeyManager[] {always}, InsecureTrustManagerFactory.INSTANCE.getTrustManagers()));
    }

    JdkClient sni(String name) {
        this.sni = name;
        return this;
    }

    JdkClient protocols(String... enabled) {
        this.protocols = List.of(enabled);
        return this;
    }

    JdkClient alpn(String... offered) {
        this.alpn = List.of(offered);
        return this;
    }

    SSLContext sslContext() {
        return context;
    }

    /** Handshakes and echoes a line; throws if either fails (TLS 1.3 reports client-auth refusals on read). */
    Result connect(int port) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setProtocols(protocols.toArray(String[]::new));
            if (sni != null) {
                parameters.setServerNames(List.of(new SNIHostName(sni)));
            }
            if (!alpn.isEmpty()) {
                parameters.setApplicationProtocols(alpn.toArray(String[]::new));
            }
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            socket.getOutputStream().write("ping".getBytes(US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            byte[] echoed = in.readNBytes(4);
            if (!"ping".equals(new String(echoed, US_ASCII))) {
                throw new IOException("no echo: got " + echoed.length + " bytes");
            }
            SSLSession session = socket.getSession();
            return new Result(session, (X509Certificate) session.getPeerCertificates()[0],
                    socket.getApplicationProtocol());
        }
    }

    static TrustManager[] trustManagers(X509Certificate ca) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return tmf.getTrustManagers();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static SSLContext context(KeyManager[] keys, TrustManager[] trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
