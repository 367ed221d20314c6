package io.trustgate.transport;

import static io.trustgate.transport.VertxRegistryClientTest.failure;
import static io.trustgate.transport.VertxRegistryClientTest.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustgate.config.TrustgateSettings;
import io.trustgate.lookaside.LookasideUnavailableException;
import io.trustgate.notary.TrustDataNotFoundException;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.registry.RegistryUnavailableException;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.MutableClock;
import io.trustgate.testing.NotaryPeer;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.TestCa;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link UpstreamTrust} on real peers served over TLS by a private CA: a docker-registry, a lookaside store and
 * a notary-server. The CA is trusted through the bundle for every host or through a certs.d directory for one
 * host; without it the handshake fails with a problem that says the certificate is not trusted, naming the host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("CAs for upstreams (TRUSTGATE_CA_BUNDLE, TRUSTGATE_CERTS_DIR)")
class UpstreamTrustTest {

    private Path base;
    private Vertx vertx;
    private TestCa privateCa;
    private RegistryPeer registry;
    private RegistryPeer otherRegistry;
    private LookasidePeer lookaside;
    private NotaryPeer notary;
    private ImageFactory.PushedImage image;
    private ImageFactory.PushedImage otherImage;

    @BeforeAll
    void start() throws Exception {
        base = Files.createTempDirectory("tg-upstream-trust-");
        vertx = Vertx.vertx();
        privateCa = TestCa.create(base.resolve("private-ca"));
        registry = RegistryPeer.builder("trust-registry").tls(privateCa).start();
        otherRegistry =
                RegistryPeer.builder("trust-other-registry").tls(privateCa).start();
        image = ImageFactory.pushRandom(registry, "demo/app", "1.0");
        otherImage = ImageFactory.pushRandom(otherRegistry, "demo/app", "1.0");
        Path store = Files.createDirectories(
                base.resolve("lookaside/demo/app@sha256=" + image.digest().substring(7)));
        Files.writeString(store.resolve("signature-1"), "not really a signature");
        lookaside = LookasidePeer.serveTls("trust-lookaside", base.resolve("lookaside"), privateCa);
        notary = NotaryPeer.start("trust-notary", TestCa.create(base.resolve("notary-ca")));
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : List.of(registry, otherRegistry, lookaside, notary)) {
            if (c != null) {
                c.close();
            }
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static TransportOptions options(UpstreamTrust trust) {
        return TrustgateSettings.defaults().transport().withTrust(trust);
    }

    /** A certs.d directory with {@code ca} for each of {@code hosts}. */
    private Path certsDir(String name, Path ca, String... hosts) throws Exception {
        Path dir = base.resolve(name);
        for (String host : hosts) {
            Files.createDirectories(dir.resolve(host));
            Files.copy(ca, dir.resolve(host).resolve("ca.crt"));
        }
        return dir;
    }

    private String resolve(UpstreamTrust trust, RegistryPeer peer, ImageFactory.PushedImage img) {
        try (VertxRegistryClient client = new VertxRegistryClient(vertx, options(trust), MutableClock.now())) {
            return client.resolve(ref(peer.host() + "/" + img.path() + ":" + img.tag()), RegistryCredentials.ANONYMOUS)
                    .orTimeout(30, TimeUnit.SECONDS)
                    .join()
                    .digest();
        }
    }

    private RegistryUnavailableException resolveFails(UpstreamTrust trust, RegistryPeer peer) {
        try (VertxRegistryClient client = new VertxRegistryClient(vertx, options(trust), MutableClock.now())) {
            return failure(
                    client.resolve(ref(peer.host() + "/demo/app:1.0"), RegistryCredentials.ANONYMOUS),
                    RegistryUnavailableException.class);
        }
    }

    @Test
    @DisplayName("a registry behind a private CA resolves when the CA is in the bundle for every upstream")
    void registryWithBundle() {
        assertThat(resolve(UpstreamTrust.load(privateCa.certPem(), null), registry, image))
                .isEqualTo(image.digest());
    }

    @Test
    @DisplayName("a registry behind a private CA resolves when the CA is in certs.d/<host:port>/ca.crt")
    void registryWithCertsDir() throws Exception {
        Path dir = certsDir("certs-registry", privateCa.certPem(), registry.host());
        assertThat(resolve(UpstreamTrust.load(null, dir), registry, image)).isEqualTo(image.digest());
    }

    @Test
    @DisplayName(
            "without the CA the registry is unavailable with 'certificate not trusted', naming the host and the fix")
    void registryWithoutCa() {
        RegistryUnavailableException e = resolveFails(UpstreamTrust.jvm(), registry);
        assertThat(e.getMessage()).contains("certificate not trusted").contains(registry.host());
        assertThat(e.toString() + e.getMessage())
                .contains("TRUSTGATE_CA_BUNDLE")
                .contains("TRUSTGATE_CERTS_DIR");
    }

    @Test
    @DisplayName("a CA configured for one host is not trusted for another host (another port of the same address)")
    void perHostCaStaysWithItsHost() throws Exception {
        Path dir = certsDir("certs-one-host", privateCa.certPem(), registry.host());
        UpstreamTrust trust = UpstreamTrust.load(null, dir);
        assertThat(resolve(trust, registry, image)).isEqualTo(image.digest());
        assertThat(resolveFails(trust, otherRegistry).getMessage())
                .contains("certificate not trusted")
                .contains(otherRegistry.host());
        assertThat(resolve(
                        UpstreamTrust.load(null, certsDir("certs-other", privateCa.certPem(), otherRegistry.host())),
                        otherRegistry,
                        otherImage))
                .isEqualTo(otherImage.digest());
    }

    @Test
    @DisplayName(
            "a lookaside store behind a private CA is read with the CA configured, and refused as untrusted without")
    void lookaside() throws Exception {
        try (VertxLookasideStore trusted = new VertxLookasideStore(
                vertx,
                options(UpstreamTrust.load(
                        null, certsDir("certs-lookaside", privateCa.certPem(), lookaside.host()))))) {
            assertThat(trusted.signatures(lookaside.baseUrl(), ref(registry.host() + "/demo/app:1.0"), image.digest())
                            .orTimeout(30, TimeUnit.SECONDS)
                            .join())
                    .hasSize(1);
        }
        try (VertxLookasideStore untrusted = new VertxLookasideStore(vertx, options(UpstreamTrust.jvm()))) {
            LookasideUnavailableException e = failure(
                    untrusted.signatures(lookaside.baseUrl(), ref(registry.host() + "/demo/app:1.0"), image.digest()),
                    LookasideUnavailableException.class);
            assertThat(e.getMessage()).contains("certificate not trusted").contains(lookaside.host());
        }
    }

    @Test
    @DisplayName(
            "a Notary server behind a private CA is reached with the CA in certs.d, and refused as untrusted without")
    void notary() throws Exception {
        String host = notary.url().replaceFirst("^https://", "");
        UpstreamTrust trust = UpstreamTrust.load(null, certsDir("certs-notary", notary.caPem(), host));
        try (VertxTrustDataFetcher f =
                new VertxTrustDataFetcher(vertx, options(trust), MutableClock.now(), notary.url(), null)) {
            // TLS succeeded: the server answered that it has no such repository.
            assertThat(failure(f.fetch("127.0.0.1/none/such", "root", 1 << 20), TrustDataNotFoundException.class))
                    .isNotNull();
        }
        try (VertxTrustDataFetcher f = new VertxTrustDataFetcher(
                vertx, options(UpstreamTrust.jvm()), MutableClock.now(), notary.url(), null)) {
            assertThat(failure(f.fetch("127.0.0.1/none/such", "root", 1 << 20), NotaryFetchException.class)
                            .getMessage())
                    .contains("certificate not trusted")
                    .contains(host);
        }
    }

    @Test
    @DisplayName(
            "a CA file that does not parse, an empty one, and a certs.d entry that is not a host are refused when loaded")
    void brokenCaFiles() throws Exception {
        Path garbage = Files.writeString(base.resolve("garbage.pem"), """
                -----BEGIN CERTIFICATE-----
                not base64!
                -----END CERTIFICATE-----
                """);
        assertThatThrownBy(() -> UpstreamTrust.load(garbage, null))
                .isInstanceOf(UpstreamTrust.InvalidCaException.class)
                .hasMessageContaining("not PEM certificates");
        Path empty = Files.writeString(base.resolve("empty.pem"), "");
        assertThatThrownBy(() -> UpstreamTrust.load(empty, null)).hasMessageContaining("holds no PEM certificate");
        Path dir = Files.createDirectories(base.resolve("bad-certs/not a host"));
        Files.copy(privateCa.certPem(), dir.resolve("ca.crt"));
        assertThatThrownBy(() -> UpstreamTrust.load(null, dir.getParent())).hasMessageContaining("is not a host");
        assertThatThrownBy(() -> UpstreamTrust.exclusive("no PEM here"))
                .hasMessageContaining("holds no PEM certificate");
    }

    @Test
    @DisplayName("certs.d names a host without a port for 443, as Docker and Podman do")
    void hostKeys() {
        assertThat(UpstreamTrust.hostKey("Registry.Example.com", 443)).isEqualTo("registry.example.com");
        assertThat(UpstreamTrust.hostKey("registry.example.com", 5000)).isEqualTo("registry.example.com:5000");
        assertThat(UpstreamTrust.hostKey("::1", 5000)).isEqualTo("[::1]:5000");
    }
}
