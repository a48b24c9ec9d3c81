package dev.fulcrum.tls;

import dev.fulcrum.config.CertificateConfig;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * What is wrong with a configured certificate, for {@code fulcrum check} and for logging at
 * start and reload. Errors make the certificate unusable or wrong for clients; warnings need
 * attention soon.
 */
public final class CertificateChecks {

    /** A leaf closer than this to its end is reported. */
    static final Duration EXPIRY_WARNING = Duration.ofDays(30);

    private static final int SAN_DNS = 2;
    private static final DateTimeFormatter DATE = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

    public enum Severity { ERROR, WARNING }

    public record Finding(Severity severity, String message) {
    }

    private CertificateChecks() {
    }

    public static List<Finding> check(CertificateConfig c, Instant now) {
        PemCredentials credentials;
        try {
            credentials = PemCredentials.load(c);
        } catch (TlsConfigException e) {
            return List.of(new Finding(Severity.ERROR, e.getMessage()));
        }
        List<Finding> findings = new ArrayList<>(structure(c, credentials));
        findings.addAll(validity(c, credentials.leaf(), now));
        return List.copyOf(findings);
    }

    /** Mistakes in the files themselves: a key for another certificate, a chain out of order. */
    static List<Finding> structure(CertificateConfig c, PemCredentials credentials) {
        String owner = PemCredentials.owner(c);
        List<Finding> findings = new ArrayList<>();
        if (!Keys.matches(credentials.key(), credentials.leaf().getPublicKey())) {
            findings.add(new Finding(Severity.ERROR, owner + ": key " + c.key() + " does not match certificate "
                    + c.cert()));
        }
        List<X509Certificate> chain = credentials.chain();
        for (int i = 0; i + 1 < chain.size(); i++) {
            if (!Keys.issuedBy(chain.get(i), chain.get(i + 1))) {
                findings.add(new Finding(Severity.ERROR, owner + ": " + c.cert() + " is out of order: certificate "
                        + (i + 1) + " (" + chain.get(i).getSubjectX500Principal().getName()
                        + ") is not issued by certificate " + (i + 2) + " ("
                        + chain.get(i + 1).getSubjectX500Principal().getName()
                        + "); list the leaf first, then each issuer"));
                break;
            }
        }
        return findings;
    }

    /** Where the leaf stands in its validity period. */
    static List<Finding> validity(CertificateConfig c, X509Certificate leaf, Instant now) {
        String owner = PemCredentials.owner(c);
        Instant notBefore = leaf.getNotBefore().toInstant();
        Instant notAfter = leaf.getNotAfter().toInstant();
        if (now.isBefore(notBefore)) {
            return List.of(new Finding(Severity.ERROR, owner + ": " + c.cert() + " is not valid until "
                    + notBefore));
        }
        if (!now.isBefore(notAfter)) {
            return List.of(new Finding(Severity.ERROR, owner + ": " + c.cert() + " expired on "
                    + DATE.format(notAfter)));
        }
        Duration left = Duration.between(now, notAfter);
        if (left.compareTo(EXPIRY_WARNING) < 0) {
            return List.of(new Finding(Severity.WARNING, owner + ": " + c.cert() + " expires on "
                    + DATE.format(notAfter) + " (" + left.toDays() + " days left)"));
        }
        return List.of();
    }

    /**
     * The names a leaf serves, lower-case: its DNS subject alternative names, or its common name
     * when it has none (clients ignore the CN when SANs exist, so must we).
     */
    public static List<String> serverNames(X509Certificate leaf) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(SAN_DNS).equals(san.get(0)) && san.get(1) instanceof String) {
                        addOnce(names, (String) san.get(1));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // An unreadable SAN extension serves no names through it; fall back to the CN.
        }
        if (names.isEmpty()) {
            String cn = commonName(leaf);
            if (cn != null) {
                addOnce(names, cn);
            }
        }
        return List.copyOf(names);
    }

    private static void addOnce(List<String> names, String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (!names.contains(lower)) {
            names.add(lower);
        }
    }

    private static String commonName(X509Certificate leaf) {
        try {
            List<Rdn> rdns = new LdapName(leaf.getSubjectX500Principal().getName()).getRdns();
            // Index 0 is the rightmost RDN; the most specific CN is the leftmost one.
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if ("CN".equalsIgnoreCase(rdns.get(i).getType())) {
                    return rdns.get(i).getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }
}
