package dev.fulcrum.tls;

import dev.fulcrum.config.CertificateConfig;
import dev.fulcrum.config.Location;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Test certificates made on the spot with Bouncy Castle: a CA, the leafs it signs, PEM files of every kind. */
final class TestPki {

    static final Provider BC = new BouncyCastleProvider();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate and the key pair it certifies. */
    record Issued(X509Certificate cert, KeyPair keys) {
        PrivateKey key() {
            return keys.getPrivate();
        }

        String subject() {
            return cert.getSubjectX500Principal().getName();
        }
    }

    private TestPki() {
    }

    static KeyPair rsa() {
        return generate("RSA", 2048);
    }

    static KeyPair ec() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", BC);
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair generate(String algorithm, int size) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm, BC);
            generator.initialize(size, RANDOM);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Issued ca(String cn) {
        KeyPair keys = ec();
        X500Name name = new X500Name("CN=" + cn);
        Instant now = Instant.now();
        return sign(name, keys, name, keys.getPrivate(), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3650)),
                List.of(), true);
    }

    /** A leaf valid from yesterday for a year, with an EC key. */
    static Issued leaf(Issued ca, String cn, String... dnsNames) {
        return leaf(ca, cn, ec(), List.of(dnsNames), Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)));
    }

    static Issued leaf(Issued ca, String cn, KeyPair keys, List<String> dnsNames, Instant notBefore, Instant notAfter) {
        return sign(new X500Name("CN=" + cn), keys, new X500Name(ca.subject()), ca.key(), notBefore, notAfter,
                dnsNames, false);
    }

    /** An intermediate CA signed by {@code ca}. */
    static Issued intermediate(Issued ca, String cn) {
        Instant now = Instant.now();
        return sign(new X500Name("CN=" + cn), ec(), new X500Name(ca.subject()), ca.key(), now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(3650)), List.of(), true);
    }

    private static Issued sign(X500Name subject, KeyPair keys, X500Name issuer, PrivateKey issuerKey,
                               Instant notBefore, Instant notAfter, List<String> dnsNames, boolean isCa) {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
                    keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (isCa) {
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            }
            if (!dnsNames.isEmpty()) {
                GeneralName[] names = dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n))
                        .toArray(GeneralName[]::new);
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            String algorithm = "RSA".equals(issuerKey.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
            return new Issued(new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).setProvider(BC).build(issuerKey))), keys);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code name.crt} (leaf, then {@code rest}) and {@code name.key} (PKCS#8) into dir. */
    static CertificateConfig files(Path dir, String name, Issued leaf, X509Certificate... rest) throws IOException {
        X509Certificate[] chain = new X509Certificate[rest.length + 1];
        chain[0] = leaf.cert();
        System.arraycopy(rest, 0, chain, 1, rest.length);
        Path cert = writeCerts(dir.resolve(name + ".crt"), chain);
        Path key = writePkcs8(dir.resolve(name + ".key"), leaf.key());
        return new CertificateConfig(name, cert, key, Location.NONE);
    }

    static Path writeCerts(Path file, X509Certificate... certs) throws IOException {
        return write(file, (Object[]) certs);
    }

    /** {@code PRIVATE KEY}. */
    static Path writePkcs8(Path file, PrivateKey key) throws IOException {
        return write(file, new JcaPKCS8Generator(key, null));
    }

    /** {@code RSA PRIVATE KEY} or {@code EC PRIVATE KEY}, as OpenSSL's traditional format writes them. */
    static Path writeTraditional(Path file, PrivateKey key) throws IOException {
        return write(file, new JcaMiscPEMGenerator(key));
    }

    /** {@code ENCRYPTED PRIVATE KEY} (PKCS#8, PBES2 with AES-256). */
    static Path writeEncryptedPkcs8(Path file, PrivateKey key, String passphrase) throws IOException {
        try {
            return write(file, new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(
                    JcaPKCS8Generator.AES_256_CBC).setProvider(BC).setPassword(passphrase.toCharArray()).build()));
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** {@code RSA PRIVATE KEY} with {@code Proc-Type: 4,ENCRYPTED} (OpenSSL's legacy encryption). */
    static Path writeLegacyEncrypted(Path file, PrivateKey key, String passphrase) throws IOException {
        return write(file, new JcaMiscPEMGenerator(key,
                new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(BC).build(passphrase.toCharArray())));
    }

    static Path write(Path file, Object... objects) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                writer.writeObject(o);
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, out.toString(), StandardCharsets.US_ASCII);
        return file;
    }
}
