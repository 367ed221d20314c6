package io.trustgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real {@code notary-server} (Notary v1, Debian 0.7) on 127.0.0.1 over TLS, with the local trust service
 * (the server holds the timestamp key, ed25519) and memory storage. Its certificate comes from a
 * {@link TestCa} with SANs 127.0.0.1 and localhost. Drive it with {@link NotaryCli}.
 *
 * <pre>{@code
 * try (NotaryPeer notary = NotaryPeer.start("notary")) {
 *     NotaryCli cli = notary.cli(tempDir.resolve("trust"));
 *     cli.init(gun); cli.addhash(gun, "1.0", size, hex); cli.publish(gun);
 *     byte[] timestamp = notary.fetch(gun, "timestamp");     // GET /v2/<gun>/_trust/tuf/timestamp.json
 *     notary.url(); notary.caPem();                          // for trustgate's Notary client
 * }
 * }</pre>
 */
public final class NotaryPeer implements AutoCloseable {

    private final int port;
    private final TestCa ca;
    private final PeerProcess process;
    private final Path dir;

    private NotaryPeer(int port, TestCa ca, PeerProcess process, Path dir) {
        this.port = port;
        this.ca = ca;
        this.process = process;
        this.dir = dir;
    }

    /** Starts a server with a new CA under {@code target/peers/<name>/}. */
    public static NotaryPeer start(String name) {
        Path dir = PeerProcess.peerDir(name);
        return start(name, TestCa.create(dir.resolve("ca-" + Long.toHexString(System.nanoTime()))));
    }

    /** Starts a server whose certificate {@code ca} issues. */
    public static NotaryPeer start(String name, TestCa ca) {
        Path dir = PeerProcess.peerDir(name);
        TestCa.Issued cert = ca.issueServer("notary-server-" + Long.toHexString(System.nanoTime()));
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = Ports.free();
            try {
                Path config = dir.resolve("server-" + port + ".json");
                Files.writeString(config, """
                        {"server": {"http_addr": "127.0.0.1:%d", "tls_cert_file": "%s", "tls_key_file": "%s"},
                         "trust_service": {"type": "local"},
                         "storage": {"backend": "memory"},
                         "logging": {"level": "info"}}
                        """.formatted(port, cert.certPem(), cert.keyPem()));
                PeerProcess process = PeerProcess.start(name, List.of("notary-server", "-config", config.toString(),
                        "-logf", "logfmt"), Map.of(), dir, dir.resolve(name + "-" + port + ".log"));
                process.awaitReady(Duration.ofSeconds(20), () -> PeerProcess.listening(port));
                return new NotaryPeer(port, ca, process, dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    /** {@code https://127.0.0.1:<port>}. */
    public String url() {
        return "https://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** PEM of the CA that issued the server certificate: clients' trust anchor. */
    public Path caPem() {
        return ca.certPem();
    }

    public TestCa ca() {
        return ca;
    }

    public Path log() {
        return process.log();
    }

    /** A notary CLI for this server with its own trust directory. */
    public NotaryCli cli(Path trustDir) {
        return new NotaryCli(this, trustDir);
    }

    /**
     * GETs {@code /v2/<gun>/_trust/tuf/<role>.json} (role e.g. {@code root}, {@code timestamp},
     * {@code targets/releases}) and returns the body; fails unless the server answers 200.
     */
    public byte[] fetch(String gun, String role) {
        HttpResponse<byte[]> r = get("/v2/" + gun + "/_trust/tuf/" + role + ".json");
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + r.uri() + " answered " + r.statusCode());
        }
        return r.body();
    }

    /** GETs any path of the server (trusting its CA). */
    public HttpResponse<byte[]> get(String path) {
        try {
            return httpClient().send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A JDK HTTP client that trusts this server's CA. */
    public HttpClient httpClient() {
        return ca.httpClient(Duration.ofSeconds(5));
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        process.stop();
    }
}
