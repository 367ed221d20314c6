package io.trustgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * etcd (Debian's etcd-server) on loopback with a fresh data directory, plain HTTP, for one
 * kube-apiserver. Stopped by PID on {@link #close()}.
 *
 * <pre>{@code
 * try (EtcdPeer etcd = EtcdPeer.start("etcd")) { ... etcd.clientUrl() ... }
 * }</pre>
 */
public final class EtcdPeer implements AutoCloseable {

    private final PeerProcess process;
    private final int clientPort;

    private EtcdPeer(PeerProcess process, int clientPort) {
        this.process = process;
        this.clientPort = clientPort;
    }

    public static EtcdPeer start(String name) {
        Path dir = PeerProcess.peerDir(name);
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int client = Ports.free();
            int peer = Ports.free();
            Path data = dir.resolve("data-" + client);
            try {
                deleteTree(data);
                String clientUrl = "http://127.0.0.1:" + client;
                String peerUrl = "http://127.0.0.1:" + peer;
                PeerProcess p = PeerProcess.start(
                        name,
                        List.of(
                                "etcd",
                                "--name",
                                name,
                                "--data-dir",
                                data.toString(),
                                "--listen-client-urls",
                                clientUrl,
                                "--advertise-client-urls",
                                clientUrl,
                                "--listen-peer-urls",
                                peerUrl,
                                "--initial-advertise-peer-urls",
                                peerUrl,
                                "--initial-cluster",
                                name + "=" + peerUrl,
                                "--initial-cluster-state",
                                "new",
                                "--quota-backend-bytes",
                                String.valueOf(512L << 20),
                                "--log-level",
                                "warn"),
                        Map.of(),
                        dir,
                        dir.resolve(name + "-" + client + ".log"));
                p.awaitReady(Duration.ofSeconds(60), () -> healthy(client));
                return new EtcdPeer(p, client);
            } catch (IllegalStateException e) {
                last = e; // most likely a port was taken meanwhile
            }
        }
        throw last;
    }

    /** {@code http://127.0.0.1:<port>} for {@code --etcd-servers}. */
    public String clientUrl() {
        return "http://127.0.0.1:" + clientPort;
    }

    private static boolean healthy(int port) {
        try {
            HttpURLConnection c = (HttpURLConnection)
                    URI.create("http://127.0.0.1:" + port + "/health").toURL().openConnection();
            c.setConnectTimeout(200);
            c.setReadTimeout(1000);
            boolean ok = c.getResponseCode() == 200;
            c.disconnect();
            return ok;
        } catch (IOException e) {
            return false;
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.stop();
    }
}
