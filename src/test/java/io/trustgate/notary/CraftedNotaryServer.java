package io.trustgate.notary;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.trustgate.testing.TestCa;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Notary server over HTTPS on loopback that serves crafted trust data ({@link RepoBuilder}) for one GUN at
 * {@code /v2/<gun>/_trust/tuf/<role>.json}, and can serve any earlier, validly signed state again: what a
 * compromised or replaying server would do, which a real notary-server cannot be made to do.
 */
public final class CraftedNotaryServer implements AutoCloseable {

    private final RepoBuilder repo;
    private final HttpsServer server;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();

    private CraftedNotaryServer(RepoBuilder repo, HttpsServer server) {
        this.repo = repo;
        this.server = server;
    }

    /** Serves an empty repository for {@code gun}, with a certificate from {@code ca} (nothing published yet). */
    public static CraftedNotaryServer start(String gun, TestCa ca) {
        try {
            TestCa.Issued cert = ca.issueServer("crafted-notary");
            HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            https.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext(cert)));
            CraftedNotaryServer crafted = new CraftedNotaryServer(new RepoBuilder(gun, Instant.now()), https);
            String prefix = "/v2/" + gun + "/_trust/tuf/";
            https.createContext("/", ex -> {
                String path = ex.getRequestURI().getPath();
                byte[] body = path.startsWith(prefix) && path.endsWith(".json")
                        ? crafted.served.get(path.substring(prefix.length(), path.length() - 5))
                        : null;
                try (OutputStream out = ex.getResponseBody()) {
                    if (body == null) {
                        ex.sendResponseHeaders(404, -1);
                    } else {
                        ex.getResponseHeaders().set("Content-Type", "text/plain");
                        ex.sendResponseHeaders(200, body.length);
                        out.write(body);
                    }
                }
            });
            https.start();
            return crafted;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Signs a state in which {@code tag} points at {@code sha256Hex} and timestamp, snapshot and targets all
     * have {@code version}; returns it without serving it.
     */
    public Map<String, byte[]> sign(String tag, String sha256Hex, long version) {
        repo.targets.put(tag, sha256Hex);
        repo.timestampVersion = version;
        repo.snapshotVersion = version;
        repo.targetsVersion = version;
        return repo.build();
    }

    /** Serves {@code state} (from {@link #sign}) from now on. */
    public void serve(Map<String, byte[]> state) {
        served.clear();
        served.putAll(state);
    }

    public String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The root key a policy pins ({@code notary.rootKeys}). */
    public String rootKeyPem() {
        return repo.rootKey.publicPem();
    }

    /** The targets key, as a policy signer's key. */
    public String targetsKeyPem() {
        return repo.targetsKeys.get(0).publicPem();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
