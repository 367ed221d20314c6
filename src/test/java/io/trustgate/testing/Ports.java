package io.trustgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on 127.0.0.1 for peers started by tests. */
public final class Ports {

    private Ports() {}

    /**
     * A port that was free on 127.0.0.1 a moment ago. Another process may take it before the peer binds
     * it; peers that fail to bind are restarted on a new port by {@link PeerProcess}.
     */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }
}
