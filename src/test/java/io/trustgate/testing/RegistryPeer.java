package io.trustgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Debian {@code docker-registry} (distribution 2.8) on 127.0.0.1 over plain HTTP (or HTTPS with a
 * certificate of a {@link TestCa}: {@link Builder#tls}), with filesystem
 * storage under {@code target/peers/<name>/data-<port>} (deleted on close; the log
 * {@code <name>-<port>.log} stays), optionally behind htpasswd basic auth or token auth.
 * Its access log is parsed so tests can count upstream requests.
 *
 * <pre>{@code
 * try (RegistryPeer registry = RegistryPeer.builder("reg").start()) {
 *     String host = registry.host();                               // "127.0.0.1:41234"
 *     ImageFactory.PushedImage img = ImageFactory.pushRandom(registry, "demo/app", "1.0");
 *     long heads = registry.countRequests("HEAD", "/v2/demo/app/manifests/");
 * }
 * RegistryPeer.builder("reg-basic").basicAuth("alice", "s3cret").start();
 * RegistryPeer.builder("reg-token").tokenAuth(TokenServer.create("tok").user("alice", "s3cret").start()).start();
 * RegistryPeer.builder("reg-tls").tls(TestCa.create(dir)).start();     // HTTPS with a certificate of that CA
 * RegistryPeer.builder("reg-referrers").kind(RegistryPeer.Kind.REFERRERS_API).start(); // serves /v2/<name>/referrers/
 * }</pre>
 */
public final class RegistryPeer implements AutoCloseable {

    private static final Pattern ACCESS_LINE =
            Pattern.compile("^\\S+ - \\S+ \\[[^]]+] \"(\\S+) (\\S+) [^\"]*\" (\\d{3}) ");
    /**
     * go-containerregistry's request log: {@code 2026/11/30 22:56:04 GET /v2/... 404 NAME_UNKNOWN ...}; a request
     * that succeeded has no status (read as 200).
     */
    private static final Pattern GGCR_LINE = Pattern.compile("^\\S+ \\S+ ([A-Z]+) (/\\S*)(?: (\\d{3}))?");

    /** Which registry program runs. */
    public enum Kind {
        /** Debian's {@code docker-registry} (distribution 2.8): no referrers API (404; clients use the tag schema). */
        DOCKER_REGISTRY,
        /**
         * distribution v3.1.2 ({@code scripts/build-distribution.sh}); it has no referrers API either (checked:
         * {@code GET /v2/<name>/referrers/<digest>} answers 404 "page not found", and its source has no such route).
         */
        DISTRIBUTION_3,
        /**
         * go-containerregistry's registry with the referrers API on ({@code scripts/build-referrers-registry.sh}):
         * in memory, plain HTTP, no auth or TLS options.
         */
        REFERRERS_API
    }

    private final Path dir;
    private final int port;
    private final PeerProcess process;
    private final String username;
    private final String password;
    private final TokenServer tokenServer;
    private final TestCa tlsCa;
    private final Kind kind;
    private final String address;

    private RegistryPeer(Builder b, Path dir, int port, PeerProcess process) {
        this.address = b.address;
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.username = b.username;
        this.password = b.password;
        this.tokenServer = b.tokenServer;
        this.tlsCa = b.tlsCa;
        this.kind = b.kind;
    }

    /** The registry program that runs. */
    public Kind kind() {
        return kind;
    }

    /** The cached binary of a Go-built registry kind, or {@code null} when it is not built. */
    public static Path binary(Kind kind) {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "trustgate");
        Path bin = switch (kind) {
            case DOCKER_REGISTRY -> null;
            case DISTRIBUTION_3 -> cache.resolve("distribution/v3.1.2/registry");
            case REFERRERS_API -> cache.resolve("ggcr-registry/v0.21.7/registry");
        };
        return bin == null || !Files.isExecutable(bin) ? null : bin;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** {@code 127.0.0.1:<port>} (or the {@link Builder#address}), the registry host as it appears in image references. */
    public String host() {
        return address + ":" + port;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return (tlsCa == null ? "http://" : "https://") + host();
    }

    /** The CA that issued the registry's certificate with {@link Builder#tls}, else {@code null}. */
    public TestCa tlsCa() {
        return tlsCa;
    }

    /** The credentials pushes use ({@code null} for an open registry). */
    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** The token server, when the registry uses token auth. */
    public TokenServer tokenServer() {
        return tokenServer;
    }

    public Path dir() {
        return dir;
    }

    public Path log() {
        return process.log();
    }

    /** One line of the registry's access log. */
    public record AccessLogEntry(String method, String uri, int status) {}

    /** Every request the registry has logged so far, oldest first. */
    public List<AccessLogEntry> requests() {
        List<AccessLogEntry> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(process.log())) {
                Matcher m = (kind == Kind.REFERRERS_API ? GGCR_LINE : ACCESS_LINE).matcher(line);
                if (m.find()) {
                    out.add(new AccessLogEntry(
                            m.group(1), m.group(2), m.group(3) == null ? 200 : Integer.parseInt(m.group(3))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Requests with this method whose URI starts with {@code uriPrefix}, e.g. {@code ("HEAD", "/v2/demo/app/manifests/")}. */
    public long countRequests(String method, String uriPrefix) {
        return countRequests(e -> e.method().equals(method) && e.uri().startsWith(uriPrefix));
    }

    public long countRequests(Predicate<AccessLogEntry> which) {
        return requests().stream().filter(which).count();
    }

    /** HEAD and GET requests for manifests of {@code path} (any tag or digest). */
    public long manifestRequests(String path) {
        String prefix = "/v2/" + path + "/manifests/";
        return countRequests(e -> (e.method().equals("HEAD") || e.method().equals("GET"))
                && e.uri().startsWith(prefix));
    }

    @Override
    public void close() {
        process.stop();
        deleteTree(dir.resolve("data-" + port));
        if (tokenServer != null) {
            tokenServer.close();
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // left in target/: harmless
        }
    }

    /** Options of a registry; {@link #start()} runs it and waits until {@code /v2/} answers. */
    public static final class Builder {
        private final String name;
        private String username;
        private String password;
        private TokenServer tokenServer;
        private TestCa tlsCa;
        private Kind kind = Kind.DOCKER_REGISTRY;
        private String address = "127.0.0.1";

        private Builder(String name) {
            this.name = name;
        }

        /** htpasswd (bcrypt) basic auth with one user. */
        public Builder basicAuth(String user, String pass) {
            this.username = user;
            this.password = pass;
            return this;
        }

        /**
         * Token auth against a started {@link TokenServer} (closed with the registry). Pushes use the first
         * user given here; add it to the token server too.
         */
        public Builder tokenAuth(TokenServer server) {
            this.tokenServer = server;
            return this;
        }

        public Builder tokenAuth(TokenServer server, String user, String pass) {
            this.tokenServer = server;
            this.username = user;
            this.password = pass;
            return this;
        }

        /** Serve HTTPS with a certificate for 127.0.0.1 issued by {@code ca} (a private CA clients must be given). */
        public Builder tls(TestCa ca) {
            this.tlsCa = ca;
            return this;
        }

        /** Which registry program to run (default {@link Kind#DOCKER_REGISTRY}). */
        public Builder kind(Kind which) {
            this.kind = which;
            return this;
        }

        /**
         * Listen on {@code ip} instead of 127.0.0.1: a private address of this machine that containers reach too
         * (the {@link NodeCluster}'s bridge address).
         */
        public Builder address(String ip) {
            this.address = ip;
            return this;
        }

        public RegistryPeer start() {
            if (kind == Kind.REFERRERS_API && (tlsCa != null || tokenServer != null || username != null)) {
                throw new IllegalArgumentException("the referrers-API registry has no TLS or auth options");
            }
            if (kind != Kind.DOCKER_REGISTRY && binary(kind) == null) {
                throw new IllegalStateException(kind + " registry not built: run scripts/install-test-deps.sh");
            }
            Path dir = PeerProcess.peerDir(name);
            RuntimeException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = Ports.free();
                try {
                    List<String> command;
                    if (kind == Kind.REFERRERS_API) {
                        command = List.of(binary(kind).toString(), "--address", "127.0.0.1:" + port);
                    } else {
                        String config = writeConfig(dir, port).toString();
                        command = kind == Kind.DISTRIBUTION_3
                                ? List.of(binary(kind).toString(), "serve", config)
                                : List.of("docker-registry", "serve", config);
                    }
                    PeerProcess process = PeerProcess.start(
                            name,
                            command,
                            // distribution v3 exports OpenTelemetry traces to localhost:4318 unless told not to
                            Map.of("OTEL_TRACES_EXPORTER", "none"),
                            dir,
                            dir.resolve(name + "-" + port + ".log"));
                    process.awaitReady(Duration.ofSeconds(20), () -> answers(address, port, tlsCa));
                    return new RegistryPeer(this, dir, port, process);
                } catch (IllegalStateException e) {
                    last = e; // most likely the port was taken meanwhile: try another
                }
            }
            throw last;
        }

        private Path writeConfig(Path dir, int port) {
            try {
                Path data = dir.resolve("data-" + port);
                deleteTree(data); // left over from an earlier run
                Files.createDirectories(data);
                StringBuilder yaml = new StringBuilder();
                yaml.append("version: 0.1\n")
                        .append("log:\n  level: info\n  accesslog:\n    disabled: false\n")
                        .append("storage:\n  filesystem:\n    rootdirectory: ")
                        .append(data)
                        .append('\n')
                        .append("  delete:\n    enabled: true\n")
                        .append("http:\n  addr: ")
                        .append(address)
                        .append(':')
                        .append(port)
                        .append('\n')
                        .append("  secret: trustgate-test-secret\n");
                if (tlsCa != null) {
                    TestCa.Issued cert = tlsCa.issueServer(name + "-" + port);
                    yaml.append("  tls:\n    certificate: ")
                            .append(cert.certPem())
                            .append('\n')
                            .append("    key: ")
                            .append(cert.keyPem())
                            .append('\n');
                }
                if (tokenServer != null) {
                    yaml.append("auth:\n  token:\n")
                            .append("    realm: ")
                            .append(tokenServer.realm())
                            .append('\n')
                            .append("    service: ")
                            .append(TokenServer.SERVICE)
                            .append('\n')
                            .append("    issuer: ")
                            .append(TokenServer.ISSUER)
                            .append('\n')
                            .append("    rootcertbundle: ")
                            .append(tokenServer.rootCertBundle())
                            .append('\n');
                } else if (username != null) {
                    Path htpasswd = dir.resolve("htpasswd-" + port);
                    Files.writeString(
                            htpasswd,
                            Proc.cmd("htpasswd", "-Bbn", username, password)
                                    .run()
                                    .stdout());
                    yaml.append("auth:\n  htpasswd:\n    realm: trustgate-test\n    path: ")
                            .append(htpasswd)
                            .append('\n');
                }
                Path config = dir.resolve("config-" + port + ".yml");
                Files.writeString(config, yaml.toString());
                return config;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static boolean answers(String address, int port, TestCa ca) {
            if (ca != null) {
                try {
                    int status = ca.httpClient(Duration.ofMillis(200))
                            .send(
                                    java.net.http.HttpRequest.newBuilder(
                                                    URI.create("https://" + address + ":" + port + "/v2/"))
                                            .timeout(Duration.ofSeconds(1))
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.discarding())
                            .statusCode();
                    return status == 200 || status == 401;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://" + address + ":" + port + "/v2/")
                        .toURL()
                        .openConnection();
                c.setConnectTimeout(200);
                c.setReadTimeout(1000);
                int status = c.getResponseCode();
                c.disconnect();
                return status == 200 || status == 401;
            } catch (IOException e) {
                return false;
            }
        }
    }
}
