package dev.fulcrum.tls;

import dev.fulcrum.config.CertificateConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A certificate chain and its private key read from PEM files: PKCS#8 ({@code PRIVATE KEY}),
 * encrypted PKCS#8 ({@code ENCRYPTED PRIVATE KEY}), PKCS#1 RSA ({@code RSA PRIVATE KEY}, also
 * with the legacy {@code Proc-Type} encryption) and SEC1 EC ({@code EC PRIVATE KEY}).
 * Only RSA and EC keys are accepted: those are what TLS clients can be expected to verify.
 */
public final class PemCredentials {

    /** Key algorithms by OID: RSA and EC are served, the others named in the error. */
    private static final Map<ASN1ObjectIdentifier, String> KEY_TYPES = Map.of(
            PKCSObjectIdentifiers.rsaEncryption, "RSA",
            X9ObjectIdentifiers.id_ecPublicKey, "EC",
            PKCSObjectIdentifiers.id_RSASSA_PSS, "RSASSA-PSS",
            X9ObjectIdentifiers.id_dsa, "DSA",
            EdECObjectIdentifiers.id_Ed25519, "Ed25519",
            EdECObjectIdentifiers.id_Ed448, "Ed448");

    private final List<X509Certificate> chain;
    private final PrivateKey key;

    private PemCredentials(List<X509Certificate> chain, PrivateKey key) {
        this.chain = chain;
        this.key = key;
    }

    public static PemCredentials load(CertificateConfig c) throws TlsConfigException {
        String owner = owner(c);
        List<X509Certificate> chain = PemFiles.certificates(owner, c.cert());
        return new PemCredentials(chain, readKey(c, owner));
    }

    /** The certificate chain, leaf first. */
    public List<X509Certificate> chain() {
        return chain;
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public PrivateKey key() {
        return key;
    }

    static String owner(CertificateConfig c) {
        return "certificate " + c.name();
    }

    private static PrivateKey readKey(CertificateConfig c, String owner) throws TlsConfigException {
        Path file = c.key();
        List<Object> keys = new ArrayList<>();
        for (Object o : PemFiles.objects(owner, file)) {
            if (o instanceof PrivateKeyInfo || o instanceof PKCS8EncryptedPrivateKeyInfo
                    || o instanceof PEMKeyPair || o instanceof PEMEncryptedKeyPair) {
                keys.add(o);
            }
        }
        if (keys.isEmpty()) {
            throw new TlsConfigException(owner + ": " + file + " holds no private key"
                    + " (expected PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
        }
        if (keys.size() > 1) {
            throw new TlsConfigException(owner + ": " + file + " holds " + keys.size()
                    + " private keys; keep exactly one");
        }
        return convert(c, owner, keys.get(0));
    }

    private static PrivateKey convert(CertificateConfig c, String owner, Object pem) throws TlsConfigException {
        Path file = c.key();
        // The JDK's own key classes: both the JDK and the OpenSSL provider take them as they are.
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        PrivateKeyInfo info;
        try {
            if (pem instanceof PKCS8EncryptedPrivateKeyInfo) {
                char[] passphrase = passphrase(c, owner);
                try {
                    info = ((PKCS8EncryptedPrivateKeyInfo) pem).decryptPrivateKeyInfo(
                            new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(Bc.PROVIDER).build(passphrase));
                } catch (Exception e) {
                    throw wrongPassphrase(c, owner, e);
                }
            } else if (pem instanceof PEMEncryptedKeyPair) {
                char[] passphrase = passphrase(c, owner);
                try {
                    info = ((PEMEncryptedKeyPair) pem).decryptKeyPair(
                            new JcePEMDecryptorProviderBuilder().setProvider(Bc.PROVIDER).build(passphrase))
                            .getPrivateKeyInfo();
                } catch (Exception e) {
                    throw wrongPassphrase(c, owner, e);
                }
            } else if (pem instanceof PEMKeyPair) {
                info = ((PEMKeyPair) pem).getPrivateKeyInfo();
            } else {
                info = (PrivateKeyInfo) pem;
            }
            String type = KEY_TYPES.get(info.getPrivateKeyAlgorithm().getAlgorithm());
            if (!"RSA".equals(type) && !"EC".equals(type)) {
                throw new TlsConfigException(owner + ": key " + file + " is an unsupported "
                        + (type == null ? info.getPrivateKeyAlgorithm().getAlgorithm().getId() : type)
                        + " key; use an RSA or EC key");
            }
            return converter.getPrivateKey(info);
        } catch (TlsConfigException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new TlsConfigException(owner + ": key " + file + " cannot be read (" + PemFiles.reason(e) + ")", e);
        }
    }

    private static char[] passphrase(CertificateConfig c, String owner) throws TlsConfigException {
        if (c.passphraseFile().isEmpty()) {
            throw new TlsConfigException(owner + ": key " + c.key()
                    + " is encrypted but no passphrase_file is set");
        }
        Path file = c.passphraseFile().get();
        String passphrase;
        try {
            // Editors and `echo` add a trailing newline that is not part of the passphrase.
            passphrase = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new TlsConfigException(owner + ": cannot read passphrase file " + file + " ("
                    + PemFiles.reason(e) + ")", e);
        }
        if (passphrase.isEmpty()) {
            throw new TlsConfigException(owner + ": passphrase file " + file + " is empty");
        }
        return passphrase.toCharArray();
    }

    private static TlsConfigException wrongPassphrase(CertificateConfig c, String owner, Exception cause) {
        return new TlsConfigException(owner + ": wrong passphrase for key " + c.key() + " (passphrase from "
                + c.passphraseFile().orElseThrow() + ")", cause);
    }
}
