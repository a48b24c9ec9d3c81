/** TLS for the appliance: certificates and keys from PEM, server and client contexts, SNI maps. */
package dev.fulcrum.tls;
