package dev.fulcrum.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;

/** Reads PEM files into objects, turning I/O and parse failures into operator-facing messages. */
final class PemFiles {

    private PemFiles() {
    }

    /** Every PEM object in the file, in order (certificates, keys, whatever else is there). */
    static List<Object> objects(String owner, Path file) throws TlsConfigException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            List<Object> objects = new ArrayList<>();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                objects.add(o);
            }
            return objects;
        } catch (NoSuchFileException e) {
            throw new TlsConfigException(owner + ": cannot read " + file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new TlsConfigException(owner + ": cannot read " + file + ": permission denied", e);
        } catch (IOException | RuntimeException e) {
            throw new TlsConfigException(owner + ": " + file + " is not a valid PEM file (" + reason(e) + ")", e);
        }
    }

    /** The certificates of a PEM file, in file order; at least one. */
    static List<X509Certificate> certificates(String owner, Path file) throws TlsConfigException {
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        List<X509Certificate> certificates = new ArrayList<>();
        for (Object o : objects(owner, file)) {
            if (o instanceof X509CertificateHolder) {
                try {
                    certificates.add(converter.getCertificate((X509CertificateHolder) o));
                } catch (CertificateException e) {
                    throw new TlsConfigException(owner + ": " + file + " holds an unreadable certificate ("
                            + reason(e) + ")", e);
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new TlsConfigException(owner + ": " + file
                    + " holds no certificate (expected -----BEGIN CERTIFICATE-----)");
        }
        return List.copyOf(certificates);
    }

    static String reason(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
