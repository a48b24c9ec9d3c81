package dev.fulcrum.config;

import java.nio.file.Path;

/** A named PEM certificate chain and its private key; paths resolved against the config file. */
public record CertificateConfig(String name, Path cert, Path key, Location location) {
}
