package dev.fulcrum.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A named PEM certificate chain and its private key; paths resolved against the config file.
 *
 * @param cert the leaf first, then the intermediates that sign it, in order
 * @param key PKCS#1 or PKCS#8, RSA or EC, encrypted or not
 * @param passphraseFile the passphrase of an encrypted key
 * @param ocspResponse a DER OCSP response to staple in handshakes
 */
public record CertificateConfig(String name, Path cert, Path key, Location location, Optional<Path> passphraseFile,
                                Optional<Path> ocspResponse) {

    public CertificateConfig(String name, Path cert, Path key, Location location) {
        this(name, cert, key, location, Optional.empty(), Optional.empty());
    }
}
