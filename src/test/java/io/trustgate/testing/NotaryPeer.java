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
    private final TokenServer tokenServer;
    private final String tokenUser;
    private final String tokenPassword;

    private NotaryPeer(
            int port,
            TestCa ca,
            PeerProcess process,
            Path dir,
            TokenServer tokenServer,
            String tokenUser,
            String tokenPassword) {
        this.port = port;
        this.ca = ca;
        this.process = process;
        this.dir = dir;
        this.tokenServer = tokenServer;
        this.tokenUser = tokenUser;
        this.tokenPassword = tokenPassword;
    }

    /** Starts a server with a new CA under {@code target/peers/<name>/}. */
    public static NotaryPeer start(String name) {
        Path dir = PeerProcess.peerDir(name);
        return start(name, TestCa.create(dir.resolve("ca-" + Long.toHexString(System.nanoTime()))));
    }

    /** Starts a server whose certificate {@code ca} issues. */
    public static NotaryPeer start(String name, TestCa ca) {
        return start(name, ca, null, null, null);
    }

    /**
     * Starts a server with token auth ({@code "auth": {"type": "token", ...}}): every request needs a bearer token
     * from {@code tokens} (started; its realm is what the server's challenges name, so make it {@link
     * TokenServer#tls} with {@code ca} for clients that refuse plain-HTTP realms). The {@link NotaryCli} of this
     * peer authenticates as {@code user} (add the user to the token server); the token server is closed with it.
     */
    public static NotaryPeer startWithTokenAuth(
            String name, TestCa ca, TokenServer tokens, String user, String password) {
        return start(name, ca, tokens, user, password);
    }

    private static NotaryPeer start(String name, TestCa ca, TokenServer tokens, String user, String password) {
        Path dir = PeerProcess.peerDir(name);
        TestCa.Issued cert = ca.issueServer("notary-server-" + Long.toHexString(System.nanoTime()));
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = Ports.free();
            try {
                Path config = dir.resolve("server-" + port + ".json");
                String auth = tokens == null
                        ? ""
                        : """
                         "auth": {"type": "token", "options": {"realm": "%s", "service": "%s", "issuer": "%s",
                                  "rootcertbundle": "%s"}},
                        """.formatted(
                                tokens.realm(), TokenServer.SERVICE, TokenServer.ISSUER, tokens.rootCertBundle());
                Files.writeString(config, """
                        {"server": {"http_addr": "127.0.0.1:%d", "tls_cert_file": "%s", "tls_key_file": "%s"},
                         "trust_service": {"type": "local"},
                         "storage": {"backend": "memory"},
                        %s "logging": {"level": "info"}}
                        """.formatted(port, cert.certPem(), cert.keyPem(), auth));
                PeerProcess process = PeerProcess.start(
                        name,
                        List.of("notary-server", "-config", config.toString(), "-logf", "logfmt"),
                        Map.of(),
                        dir,
                        dir.resolve(name + "-" + port + ".log"));
                process.awaitReady(Duration.ofSeconds(20), () -> PeerProcess.listening(port));
                return new NotaryPeer(port, ca, process, dir, tokens, user, password);
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
            return httpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url() + path))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
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

    /** The token server when the peer uses token auth, else {@code null}. */
    public TokenServer tokenServer() {
        return tokenServer;
    }

    /** {@code NOTARY_AUTH} (base64 of user:password) for the CLI when the peer uses token auth, else nothing. */
    Map<String, String> cliAuthEnv() {
        if (tokenUser == null) {
            return Map.of();
        }
        return Map.of(
                "NOTARY_AUTH",
                java.util.Base64.getEncoder()
                        .encodeToString(
                                (tokenUser + ":" + tokenPassword).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        process.stop();
        if (tokenServer != null) {
            tokenServer.close();
        }
    }
}
