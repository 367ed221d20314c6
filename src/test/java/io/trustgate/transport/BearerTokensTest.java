package io.trustgate.transport;

import static io.trustgate.transport.VertxRegistryClientTest.failure;
import static io.trustgate.transport.VertxRegistryClientTest.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustgate.registry.RegistryAuthException;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.registry.RegistryProtocolException;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.MutableClock;
import io.trustgate.testing.NotaryCli;
import io.trustgate.testing.NotaryPeer;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.TestCa;
import io.trustgate.testing.TokenServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link BearerTokens}, the one token flow, as both of its clients use it: {@link VertxRegistryClient} against the
 * real {@code docker-registry} with token auth, and {@link VertxTrustDataFetcher} against the real
 * {@code notary-server} with token auth; the token server ({@link TokenServer}) counts every token request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("the bearer-token flow")
class BearerTokensTest {

    private static final RegistryCredentials ALICE = new RegistryCredentials("alice", "s3cret");
    private static final RegistryCredentials BOB = new RegistryCredentials("bob", "b0b-pass");
    /** Generous timeouts: this class is about tokens, and the shared test machine can be slow to its first TLS. */
    private static final TransportOptions OPTIONS = io.trustgate.config.TrustgateSettings.defaults()
            .transport()
            .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30));

    private Vertx vertx;

    @BeforeAll
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName(
            "a realm on another host is accepted, but not one that is plain HTTP behind HTTPS, not http(s), or carries user info")
    void realmRules() {
        assertThat(BearerTokens.checkRealm("https://auth.docker.io/token", "https://registry-1.docker.io"))
                .hasHost("auth.docker.io");
        assertThat(BearerTokens.checkRealm("http://127.0.0.1:1/token", "http://127.0.0.1:5000"))
                .hasScheme("http");
        assertThatThrownBy(() -> BearerTokens.checkRealm("http://auth.example/token", "https://registry.example"))
                .isInstanceOfSatisfying(
                        TokenException.class,
                        e -> assertThat(e.problem).isEqualTo(TokenException.Problem.INSECURE_REALM))
                .hasMessageContaining("plain HTTP for a server reached over HTTPS");
        for (String bad : List.of(
                "file:///etc/passwd",
                "ftp://auth.example/token",
                "https://u:p@auth.example/token",
                "/token",
                "",
                "https://auth.example/token#x",
                "https://auth example/")) {
            assertThatThrownBy(() -> BearerTokens.checkRealm(bad, "http://127.0.0.1:5000"))
                    .as(bad)
                    .isInstanceOfSatisfying(
                            TokenException.class,
                            e -> assertThat(e.problem).isEqualTo(TokenException.Problem.MISCONFIGURED));
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @DisplayName("with docker-registry's token auth")
    class Registry {
        private TokenServer tokens;
        private RegistryPeer registry;
        private ImageFactory.PushedImage image;

        @BeforeAll
        void start() {
            tokens = TokenServer.create("bearer-registry-tokens")
                    .user("alice", "s3cret")
                    .user("bob", "b0b-pass")
                    .expiresIn(300)
                    .start();
            registry = RegistryPeer.builder("bearer-registry")
                    .tokenAuth(tokens, "alice", "s3cret")
                    .start();
            image = ImageFactory.pushRandom(registry, "demo/app", "1.0");
        }

        @AfterAll
        void stop() {
            registry.close();
        }

        private VertxRegistryClient client(MutableClock clock) {
            return new VertxRegistryClient(vertx, OPTIONS.withInsecureHosts(registry.host()), clock);
        }

        @Test
        @DisplayName(
                "16 concurrent resolves with a cold cache make one token request; the token is reused until it expires, then fetched again")
        void oneRequestReusedUntilExpiry() {
            MutableClock clock = MutableClock.now();
            try (VertxRegistryClient client = client(clock)) {
                int before = tokens.hits();
                List<CompletableFuture<io.trustgate.registry.ManifestDescriptor>> all = IntStream.range(0, 16)
                        .mapToObj(i -> client.resolve(ref(image.reference()), ALICE))
                        .toList();
                all.forEach(
                        f -> assertThat(f.orTimeout(30, TimeUnit.SECONDS).join().digest())
                                .isEqualTo(image.digest()));
                assertThat(tokens.hits() - before)
                        .as("token requests for 16 concurrent resolves")
                        .isEqualTo(1);

                clock.advance(Duration.ofSeconds(299));
                client.resolve(ref(image.reference()), ALICE).join();
                assertThat(tokens.hits() - before)
                        .as("reused within expires_in")
                        .isEqualTo(1);

                clock.advance(Duration.ofSeconds(2));
                client.resolve(ref(image.reference()), ALICE).join();
                assertThat(tokens.hits() - before)
                        .as("fetched again once expires_in passed")
                        .isEqualTo(2);
            }
        }

        @Test
        @DisplayName(
                "different credentials get their own tokens: another user, and the same user with another password, never reuse a cached one")
        void tokensPerCredentials() {
            try (VertxRegistryClient client = client(MutableClock.now())) {
                int before = tokens.requests().size();
                client.resolve(ref(image.reference()), ALICE).join();
                client.resolve(ref(image.reference()), BOB).join();
                client.resolve(ref(image.reference()), ALICE).join();
                client.resolve(ref(image.reference()), BOB).join();
                RegistryAuthException wrong = failure(
                        client.resolve(ref(image.reference()), new RegistryCredentials("alice", "not-her-password")),
                        RegistryAuthException.class);
                assertThat(wrong.getMessage())
                        .contains("refused the credentials of user alice")
                        .doesNotContain("not-her-password");
                List<TokenServer.Request> asked =
                        tokens.requests().subList(before, tokens.requests().size());
                assertThat(asked)
                        .extracting(TokenServer.Request::user, TokenServer.Request::status)
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple("alice", 200),
                                org.assertj.core.groups.Tuple.tuple("bob", 200),
                                org.assertj.core.groups.Tuple.tuple("alice", 401));
                assertThat(client.resolve(ref(image.reference()), RegistryCredentials.ANONYMOUS))
                        .as("anonymous never gets a user's token")
                        .failsWithin(Duration.ofSeconds(30));
            }
        }

        @Test
        @DisplayName("a token answer over maxTokenBytes is refused with the limit, and nothing is cached")
        void oversizedAnswer() {
            tokens.answerPadding((int) TransportOptions.MAX_TOKEN_BYTES);
            try (VertxRegistryClient client = client(MutableClock.now())) {
                RegistryProtocolException e =
                        failure(client.resolve(ref(image.reference()), ALICE), RegistryProtocolException.class);
                assertThat(e.getMessage())
                        .contains("token answer of " + tokens.realm())
                        .contains("over the limit of " + TransportOptions.MAX_TOKEN_BYTES)
                        .contains("a token answer is at most " + TransportOptions.MAX_TOKEN_BYTES + " bytes");
                tokens.answerPadding(0);
                assertThat(client.resolve(ref(image.reference()), ALICE).join().digest())
                        .isEqualTo(image.digest());
            } finally {
                tokens.answerPadding(0);
            }
        }
    }

    @Test
    @DisplayName("docker-registry over HTTPS naming a plain-HTTP realm: refused before any credentials are sent")
    void registryHttpsWithHttpRealm() {
        TestCa ca = TestCa.create(PeerProcess.peerDir("bearer-tls-registry").resolve("ca-" + System.nanoTime()));
        TokenServer tokens = TokenServer.create("bearer-tls-registry-tokens")
                .user("alice", "s3cret")
                .start();
        try (RegistryPeer registry = RegistryPeer.builder("bearer-tls-registry")
                        .tls(ca)
                        .tokenAuth(tokens)
                        .start();
                VertxRegistryClient client = new VertxRegistryClient(
                        vertx, OPTIONS.withTrust(UpstreamTrust.load(ca.certPem(), null)), MutableClock.now())) {
            RegistryProtocolException e = failure(
                    client.resolve(ref(registry.host() + "/demo/app:1.0"), ALICE), RegistryProtocolException.class);
            assertThat(e.getMessage())
                    .contains("refused token realm " + tokens.realm())
                    .contains("plain HTTP for a server reached over HTTPS")
                    .contains("credentials are never sent over plain HTTP");
            assertThat(e.status()).isEqualTo(401);
            assertThat(tokens.hits()).as("the token server never asked").isZero();
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @DisplayName("with notary-server's token auth")
    class Notary {
        private static final String GUN = "127.0.0.1:5000/bearer/app";
        private TestCa ca;
        private TokenServer tokens;
        private NotaryPeer notary;
        private String caPem;

        @BeforeAll
        void start() throws IOException {
            ca = TestCa.create(PeerProcess.peerDir("bearer-notary").resolve("ca-" + System.nanoTime()));
            tokens = TokenServer.create("bearer-notary-tokens")
                    .tls(ca)
                    .user("publisher", "pub-pass")
                    .anonymousPull(true)
                    .expiresIn(300)
                    .start();
            notary = NotaryPeer.startWithTokenAuth("bearer-notary", ca, tokens, "publisher", "pub-pass");
            caPem = Files.readString(ca.certPem());
            NotaryCli cli = notary.cli(PeerProcess.peerDir("bearer-notary-cli").resolve("trust-" + System.nanoTime()));
            cli.init(GUN);
            cli.addhash(GUN, "1.0", 123, "ab".repeat(32));
            cli.publish(GUN);
        }

        @AfterAll
        void stop() {
            notary.close();
        }

        private VertxTrustDataFetcher fetcher(MutableClock clock) {
            return new VertxTrustDataFetcher(vertx, OPTIONS, clock, notary.url(), caPem);
        }

        @Test
        @DisplayName(
                "the server really asks for a token: without one, it answers 401 with a Bearer challenge naming the https realm")
        void serverChallenges() {
            var answer = notary.get("/v2/" + GUN + "/_trust/tuf/root.json");
            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(answer.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(
                            h -> assertThat(h).startsWith("Bearer").contains("realm=\"" + tokens.realm() + "\""));
        }

        @Test
        @DisplayName(
                "12 concurrent fetches with a cold cache make one anonymous token request; the token is reused until it expires, then fetched again")
        void oneRequestReusedUntilExpiry() {
            MutableClock clock = MutableClock.now();
            try (VertxTrustDataFetcher f = fetcher(clock)) {
                int before = tokens.requests().size();
                List<CompletableFuture<byte[]>> all = IntStream.range(0, 12)
                        .mapToObj(i -> f.fetch(
                                GUN,
                                List.of("root", "timestamp", "snapshot", "targets")
                                        .get(i % 4),
                                1 << 20))
                        .toList();
                all.forEach(r -> assertThat(
                                new String(r.orTimeout(30, TimeUnit.SECONDS).join(), StandardCharsets.UTF_8))
                        .startsWith("{\"signed\":"));
                List<TokenServer.Request> asked =
                        tokens.requests().subList(before, tokens.requests().size());
                assertThat(asked).as("token requests for 12 concurrent fetches").hasSize(1);
                assertThat(asked.get(0).user()).as("anonymous").isNull();
                assertThat(asked.get(0).scopes()).containsExactly("repository:" + GUN + ":pull");

                clock.advance(Duration.ofSeconds(299));
                f.fetch(GUN, "root", 1 << 20).join();
                assertThat(tokens.requests().size() - before)
                        .as("reused within expires_in")
                        .isEqualTo(1);
                clock.advance(Duration.ofSeconds(2));
                f.fetch(GUN, "root", 1 << 20).join();
                assertThat(tokens.requests().size() - before)
                        .as("fetched again once expires_in passed")
                        .isEqualTo(2);
            }
        }

        @Test
        @DisplayName("a token answer over maxTokenBytes is refused with the limit")
        void oversizedAnswer() {
            tokens.answerPadding((int) TransportOptions.MAX_TOKEN_BYTES);
            try (VertxTrustDataFetcher f = fetcher(MutableClock.now())) {
                NotaryFetchException e = failure(f.fetch(GUN, "root", 1 << 20), NotaryFetchException.class);
                assertThat(e.getMessage())
                        .startsWith("the Notary server " + notary.url() + " asked for a token")
                        .contains("over the limit of " + TransportOptions.MAX_TOKEN_BYTES);
            } finally {
                tokens.answerPadding(0);
            }
        }
    }

    @Test
    @DisplayName("notary-server (HTTPS) naming a plain-HTTP realm: refused before any token request")
    void notaryWithHttpRealm() throws IOException {
        TestCa ca = TestCa.create(PeerProcess.peerDir("bearer-notary-http").resolve("ca-" + System.nanoTime()));
        TokenServer tokens = TokenServer.create("bearer-notary-http-tokens")
                .anonymousPull(true)
                .start();
        try (NotaryPeer notary = NotaryPeer.startWithTokenAuth("bearer-notary-http", ca, tokens, "nobody", "none");
                VertxTrustDataFetcher f = new VertxTrustDataFetcher(
                        vertx, OPTIONS, MutableClock.now(), notary.url(), Files.readString(ca.certPem()))) {
            NotaryFetchException e =
                    failure(f.fetch("127.0.0.1:5000/any/app", "root", 1 << 20), NotaryFetchException.class);
            assertThat(e.getMessage())
                    .contains("refused token realm " + tokens.realm())
                    .contains("plain HTTP for a server reached over HTTPS")
                    .contains("never fetches tokens over plain HTTP");
            assertThat(tokens.hits()).as("the token server never asked").isZero();
        }
    }
}
