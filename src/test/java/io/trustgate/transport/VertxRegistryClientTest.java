package io.trustgate.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.trustgate.config.TrustgateSettings;
import io.trustgate.image.ImageReference;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.ManifestNotFoundException;
import io.trustgate.registry.MediaTypes;
import io.trustgate.registry.RegistryAuthException;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.registry.RegistryUnavailableException;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.MutableClock;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.TokenServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@link VertxRegistryClient} against the real docker-registry. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VertxRegistryClientTest {

    private Vertx vertx;

    @BeforeAll
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private VertxRegistryClient client(RegistryPeer registry, MutableClock clock) {
        return new VertxRegistryClient(
                vertx, TrustgateSettings.defaults().transport().withInsecureHosts(registry.host()), clock);
    }

    static ImageReference ref(String text) {
        try {
            return ImageReference.parse(text);
        } catch (io.trustgate.image.InvalidImageReferenceException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static <T extends Throwable> T failure(java.util.concurrent.CompletableFuture<?> future, Class<T> type) {
        CompletionException e = catchThrowableOfType(
                CompletionException.class,
                () -> future.orTimeout(30, TimeUnit.SECONDS).join());
        assertThat(e).as("expected a failure").isNotNull();
        assertThat(e.getCause()).isInstanceOf(type);
        return type.cast(e.getCause());
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @DisplayName("an open registry")
    class Open {
        private RegistryPeer registry;
        private ImageFactory.PushedImage oci;
        private ImageFactory.PushedImage docker;
        private VertxRegistryClient client;

        @BeforeAll
        void start() {
            registry = RegistryPeer.builder("client-open").start();
            oci = ImageFactory.pushRandom(registry, "demo/app", "1.0");
            docker = ImageFactory.push(registry, "demo/docker", "2.0", ImageFactory.Format.DOCKER_V2);
            client = client(registry, MutableClock.now());
        }

        @AfterAll
        void stop() {
            client.close();
            registry.close();
        }

        @Test
        @DisplayName("a tag resolves to the digest skopeo pushed, with one HEAD and no GET")
        void tagResolves() {
            long before = registry.manifestRequests("demo/app");
            long getsBefore = registry.countRequests("GET", "/v2/demo/app/manifests/");
            ManifestDescriptor d = client.resolve(ref(oci.reference()), RegistryCredentials.ANONYMOUS)
                    .join();
            assertThat(d.digest()).isEqualTo(oci.digest());
            assertThat(d.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
            assertThat(d.size()).isEqualTo(oci.manifest().length);
            assertThat(registry.manifestRequests("demo/app") - before).isEqualTo(1);
            assertThat(registry.countRequests("GET", "/v2/demo/app/manifests/")).isEqualTo(getsBefore);
        }

        @Test
        @DisplayName("a Docker v2 image resolves with the Docker media type")
        void dockerResolves() {
            ManifestDescriptor d = client.resolve(ref(docker.reference()), RegistryCredentials.ANONYMOUS)
                    .join();
            assertThat(d.digest()).isEqualTo(docker.digest());
            assertThat(d.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_V2);
        }

        @Test
        @DisplayName("a multi-platform tag resolves to the index digest with the OCI index media type")
        void indexResolves() {
            ImageFactory.PushedIndex pushed = ImageFactory.pushIndex(registry, "demo/multi", "1.0");
            ManifestDescriptor d = client.resolve(ref(pushed.index().reference()), RegistryCredentials.ANONYMOUS)
                    .join();
            assertThat(d.digest()).isEqualTo(pushed.index().digest());
            assertThat(d.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
            assertThat(d.isIndex()).isTrue();
            ManifestDescriptor platform = client.resolve(
                            ref(registry.host() + "/demo/multi@"
                                    + pushed.platformDigests().get(1)),
                            RegistryCredentials.ANONYMOUS)
                    .join();
            assertThat(platform.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        }

        @Test
        @DisplayName("a digest reference is confirmed to exist")
        void digestConfirmed() {
            ManifestDescriptor d = client.resolve(ref(oci.digestReference()), RegistryCredentials.ANONYMOUS)
                    .join();
            assertThat(d.digest()).isEqualTo(oci.digest());
        }

        @Test
        @DisplayName("an unknown tag fails with ManifestNotFoundException naming the reference")
        void unknownTag() {
            ManifestNotFoundException e = failure(
                    client.resolve(ref(registry.host() + "/demo/app:nope"), RegistryCredentials.ANONYMOUS),
                    ManifestNotFoundException.class);
            assertThat(e.status()).isEqualTo(404);
            assertThat(e.host()).isEqualTo(registry.host());
            assertThat(e.repository()).isEqualTo("demo/app");
            assertThat(e.reference()).isEqualTo(registry.host() + "/demo/app:nope");
            assertThat(e.getMessage())
                    .contains(registry.host() + "/demo/app:nope")
                    .contains("tag nope");
        }

        @Test
        @DisplayName("an unknown digest fails with ManifestNotFoundException")
        void unknownDigest() {
            String missing = "sha256:" + "0".repeat(64);
            ManifestNotFoundException e = failure(
                    client.resolve(ref(registry.host() + "/demo/app@" + missing), RegistryCredentials.ANONYMOUS),
                    ManifestNotFoundException.class);
            assertThat(e.getMessage()).contains(missing);
        }

        @Test
        @DisplayName("a registry left out of the insecure list is reached over HTTPS and fails with a clear TLS error")
        void notInsecure() {
            try (VertxRegistryClient https =
                    new VertxRegistryClient(vertx, TrustgateSettings.defaults().transport(), MutableClock.now())) {
                RegistryUnavailableException e = failure(
                        https.resolve(ref(oci.reference()), RegistryCredentials.ANONYMOUS),
                        RegistryUnavailableException.class);
                assertThat(e.getMessage()).contains("TLS").contains("https://" + registry.host());
                assertThat(e.hint()).contains("TRUSTGATE_INSECURE_REGISTRIES");
            }
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @DisplayName("a registry with htpasswd basic auth")
    class Basic {
        private RegistryPeer registry;
        private ImageFactory.PushedImage image;
        private VertxRegistryClient client;

        @BeforeAll
        void start() {
            registry = RegistryPeer.builder("client-basic")
                    .basicAuth("alice", "s3cret")
                    .start();
            image = ImageFactory.pushRandom(registry, "demo/app", "1.0");
            client = client(registry, MutableClock.now());
        }

        @AfterAll
        void stop() {
            client.close();
            registry.close();
        }

        @Test
        @DisplayName("without credentials fails with RegistryAuthException telling to add a pull secret")
        void anonymous() {
            RegistryAuthException e = failure(
                    client.resolve(ref(image.reference()), RegistryCredentials.ANONYMOUS), RegistryAuthException.class);
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.getMessage()).contains("requires credentials");
            assertThat(e.hint()).contains("imagePullSecret");
        }

        @Test
        @DisplayName("wrong credentials fail with RegistryAuthException naming the user, never the password")
        void wrong() {
            RegistryAuthException e = failure(
                    client.resolve(ref(image.reference()), new RegistryCredentials("alice", "wrong-password")),
                    RegistryAuthException.class);
            assertThat(e.getMessage()).contains("alice").doesNotContain("wrong-password");
        }

        @Test
        @DisplayName("the right credentials resolve the tag")
        void right() {
            ManifestDescriptor d = client.resolve(ref(image.reference()), new RegistryCredentials("alice", "s3cret"))
                    .join();
            assertThat(d.digest()).isEqualTo(image.digest());
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @DisplayName("a registry with token auth")
    class Token {
        private RegistryPeer registry;
        private TokenServer tokens;
        private ImageFactory.PushedImage image;

        @BeforeAll
        void start() {
            tokens = TokenServer.create("client-token-server")
                    .user("alice", "s3cret")
                    .expiresIn(300)
                    .start();
            registry = RegistryPeer.builder("client-token")
                    .tokenAuth(tokens, "alice", "s3cret")
                    .start();
            image = ImageFactory.pushRandom(registry, "demo/app", "1.0");
        }

        @AfterAll
        void stop() {
            registry.close();
        }

        @Test
        @DisplayName("the bearer flow resolves the tag and the token is reused until expires_in passes")
        void bearerAndReuse() {
            MutableClock clock = MutableClock.now();
            RegistryCredentials alice = new RegistryCredentials("alice", "s3cret");
            try (VertxRegistryClient client = client(registry, clock)) {
                int before = tokens.hits();
                assertThat(client.resolve(ref(image.reference()), alice).join().digest())
                        .isEqualTo(image.digest());
                assertThat(tokens.hits() - before).isEqualTo(1);
                assertThat(tokens.requests().get(tokens.requests().size() - 1)).satisfies(r -> {
                    assertThat(r.user()).isEqualTo("alice");
                    assertThat(r.service()).isEqualTo(TokenServer.SERVICE);
                    assertThat(r.scopes()).containsExactly("repository:demo/app:pull");
                });

                long headsBefore = registry.countRequests("HEAD", "/v2/demo/app/manifests/");
                assertThat(client.resolve(ref(image.reference()), alice).join().digest())
                        .isEqualTo(image.digest());
                assertThat(tokens.hits() - before).as("token reused").isEqualTo(1);
                assertThat(registry.countRequests("HEAD", "/v2/demo/app/manifests/") - headsBefore)
                        .as("a cached token is sent up front: no 401 round trip")
                        .isEqualTo(1);

                clock.advance(Duration.ofSeconds(301));
                assertThat(client.resolve(ref(image.reference()), alice).join().digest())
                        .isEqualTo(image.digest());
                assertThat(tokens.hits() - before).as("expired token replaced").isEqualTo(2);
            }
        }

        @Test
        @DisplayName("concurrent resolves with a cold cache share one token request")
        void singleFlightToken() {
            RegistryCredentials alice = new RegistryCredentials("alice", "s3cret");
            try (VertxRegistryClient client = client(registry, MutableClock.now())) {
                int before = tokens.hits();
                var futures = java.util.stream.IntStream.range(0, 8)
                        .mapToObj(i -> client.resolve(ref(image.reference()), alice))
                        .toList();
                futures.forEach(f -> assertThat(f.join().digest()).isEqualTo(image.digest()));
                assertThat(tokens.hits() - before).isEqualTo(1);
            }
        }

        @Test
        @DisplayName("the token server refusing anonymous callers gives RegistryAuthException naming the realm")
        void anonymousRefused() {
            try (VertxRegistryClient client = client(registry, MutableClock.now())) {
                RegistryAuthException e = failure(
                        client.resolve(ref(image.reference()), RegistryCredentials.ANONYMOUS),
                        RegistryAuthException.class);
                assertThat(e.getMessage()).contains(tokens.realm()).contains("requires credentials");
            }
        }

        @Test
        @DisplayName("wrong credentials are refused by the token server")
        void wrongCredentials() {
            try (VertxRegistryClient client = client(registry, MutableClock.now())) {
                RegistryAuthException e = failure(
                        client.resolve(ref(image.reference()), new RegistryCredentials("alice", "nope")),
                        RegistryAuthException.class);
                assertThat(e.getMessage()).contains("alice").doesNotContain("nope");
            }
        }
    }

    @Test
    @DisplayName("an anonymous token that comes as access_token without expires_in works against the real registry")
    void anonymousAccessToken() {
        TokenServer tokens = TokenServer.create("client-token-anon")
                .user("bob", "pw")
                .anonymousPull(true)
                .tokenField("access_token")
                .expiresIn(null)
                .start();
        try (RegistryPeer registry = RegistryPeer.builder("client-token-anon-reg")
                .tokenAuth(tokens, "bob", "pw")
                .start()) {
            ImageFactory.PushedImage image = ImageFactory.pushRandom(registry, "pub/app", "latest");
            MutableClock clock = MutableClock.now();
            try (VertxRegistryClient client = client(registry, clock)) {
                int before = tokens.hits();
                assertThat(client.resolve(ref(registry.host() + "/pub/app"), RegistryCredentials.ANONYMOUS)
                                .join()
                                .digest())
                        .isEqualTo(image.digest());
                clock.advance(Duration.ofSeconds(59));
                client.resolve(ref(registry.host() + "/pub/app"), RegistryCredentials.ANONYMOUS)
                        .join();
                assertThat(tokens.hits() - before).as("default lifetime 60 s").isEqualTo(1);
                clock.advance(Duration.ofSeconds(2));
                client.resolve(ref(registry.host() + "/pub/app"), RegistryCredentials.ANONYMOUS)
                        .join();
                assertThat(tokens.hits() - before).isEqualTo(2);
                assertThat(tokens.requests().get(tokens.requests().size() - 1).user())
                        .isNull();
            }
        }
    }
}
