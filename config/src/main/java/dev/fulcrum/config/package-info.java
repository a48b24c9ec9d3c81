/**
 * The Fulcrum configuration: YAML in, an immutable {@link dev.fulcrum.config.FulcrumConfig} out.
 *
 * <p>Entry points: {@link dev.fulcrum.config.ConfigLoader#load(java.nio.file.Path)} and
 * {@link dev.fulcrum.config.ConfigLoader#parse(String, String, java.nio.file.Path)}; both throw a
 * {@link dev.fulcrum.config.ConfigException} listing every {@link dev.fulcrum.config.ConfigError}
 * as {@code FILE:LINE:COL: path: message}. Value grammars other modules reuse:
 * {@link dev.fulcrum.config.Durations}, {@link dev.fulcrum.config.Sizes},
 * {@link dev.fulcrum.config.Addresses}. The JSON schema for editors is the classpath resource
 * {@code /schema/fulcrum.schema.json}.
 *
 * <p>How the parse is laid out: {@code ConfigParser} ties the sections together and reads the small
 * top-level parts; {@code PoolReader}, {@code ListenerReader}, {@code RouteReader} and
 * {@code HaReader} read one section each ({@code Http2Reader} the HTTP/2 keys of listeners and
 * pools); {@code References} holds the checks across sections
 * (duplicate names, unknown pools and certificates, bind conflicts). Value parsers are grouped by
 * kind: {@code Scalars}, {@code NetValues}, {@code HttpValues}, and {@code FileValues}, which asks
 * a {@code FileProbe} about the files named (the real file system in the loader, a fake in tests).
 *
 * <p>Adding a key: read it in its section's reader with one {@code MapReader} call (which also makes
 * it a known key, so it is no longer reported as unknown), add the record component, and add the
 * property to the schema; {@code SchemaTest} fails until the schema and the loader agree.
 *
 * <p>This package never imports Netty.
 */
package dev.fulcrum.config;
