package io.trustgate.transport;

import io.vertx.core.net.SocketAddress;

/**
 * Where the HTTP clients connect for a URL's host: by name through the resolver ({@link #DNS}, what the webhook and
 * the CLI use), or to a fixed address. The URL, its {@code Host} header, TLS server name and host-name check stay
 * those of the URL; only the socket goes elsewhere. The start-up warm-up uses it to send the real clients to its
 * loopback server for names under {@code .invalid}, which never resolve (RFC 2606).
 */
@FunctionalInterface
public interface ServerAddresses {

    /** Every host resolved by name, as usual. */
    ServerAddresses DNS = (host, port) -> null;

    /**
     * Returns the address to connect to for {@code host:port}, or {@code null} to resolve {@code host} as usual.
     *
     * @param host the URL's host, as written in it
     * @param port the URL's port, or the scheme's default
     * @return the address to connect to, or {@code null} to resolve {@code host} as usual
     */
    SocketAddress connectTo(String host, int port);
}
