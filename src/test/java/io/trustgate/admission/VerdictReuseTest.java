package io.trustgate.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.cache.CacheSettings;
import io.trustgate.image.ImageReference;
import io.trustgate.k8s.PolicyDirectory;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.PolicySet;
import io.trustgate.policy.Signer;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.runtime.VerifierStack;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.MutableClock;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.transport.TransportOptions;
import io.trustgate.verify.ImageVerdict;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Verdicts that cannot be reused wrongly (issue 9, part 2), end to end against a real docker-registry, GPG
 * signatures made by {@code skopeo copy --sign-by} and a lookaside store over HTTP: the admission decision with
 * the caches on as in production. Outages are real: the registry or lookaside peer process is stopped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("verdicts are reused only for the digest, policy and keys they were made for")
class VerdictReuseTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Vertx vertx;
    private GpgPeer gpg;
    private String alice;
    private String bob;
    private Path base;

    @BeforeAll
    void start() throws Exception {
        vertx = Vertx.vertx();
        gpg = GpgPeer.create();
        alice = gpg.generateKey("Alice", "alice@example.test");
        bob = gpg.generateKey("Bob", "bob@example.test");
        base = Files.createTempDirectory("tg-verdicts-");
    }

    @AfterAll
    void stop() throws Exception {
        if (gpg != null) {
            gpg.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** One registry, one lookaside store and the verifier stack over them, with its caches. */
    private final class Setup implements AutoCloseable {
        final RegistryPeer registry;
        final LookasidePeer lookaside;
        final VerifierStack stack;

        Setup(String name, Clock clock, CacheSettings cache) throws Exception {
            registry = RegistryPeer.builder(name).start();
            lookaside = LookasidePeer.serve(name + "-lookaside", Files.createDirectories(base.resolve(name)));
            TransportOptions options = io.trustgate.config.TrustgateSettings.defaults()
                    .transport()
                    .withInsecureHosts(registry.host())
                    .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2));
            stack = VerifierStack.create(
                    vertx,
                    new VerifierStack.Settings(options, cache, clock, Duration.ofDays(7), VerifierStack.Hooks.NONE));
        }

        PushedImage push(String path) {
            return ImageFactory.pushRandom(registry, path, "1.0");
        }

        void sign(String fingerprint, PushedImage image) {
            gpg.signImage(fingerprint, image.reference(), lookaside.root());
        }

        Policy policy(String name, int min, List<Signer> signers) throws Exception {
            return Policy.builder(PolicyId.cluster(name), name + "-uid", "1")
                    .images(List.of(ImagePattern.compile(registry.host() + "/**")))
                    .lookaside(lookaside.baseUrl())
                    .signers(signers)
                    .minSignatures(min)
                    .build();
        }

        AdmissionHandler handler(Supplier<PolicySet> policies) {
            return AdmissionHandler.builder(policies, stack.verifier(), Duration.ofSeconds(6))
                    .build();
        }

        @Override
        public void close() {
            stack.close();
            registry.close();
            lookaside.close();
        }
    }

    private Signer signer(String name, String fingerprint) {
        return Signer.builder(name).keys(List.of(gpg.exportPublic(fingerprint))).build();
    }

    private static AdmissionHandler.Decision validate(AdmissionHandler handler, String image) throws Exception {
        return handler.decide(podReview(image), false).get(30, TimeUnit.SECONDS);
    }

    private static AdmissionHandler.Decision mutate(AdmissionHandler handler, String image) throws Exception {
        return handler.decide(podReview(image), true).get(30, TimeUnit.SECONDS);
    }

    private static JsonNode podReview(String image) throws Exception {
        return JSON.readTree("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"default",
                 "object":{"spec":{"containers":[{"name":"a","image":"%s"}]}}}}""".formatted(image));
    }

    @Test
    @DisplayName(
            "a tag moved to an unsigned image is denied by /validate while the lookaside and then the registry fail; "
                    + "the verified digest itself is still served stale, with a warning")
    void movedTagOutage() throws Exception {
        MutableClock clock = MutableClock.at(Instant.now());
        try (Setup s = new Setup(
                "moved-outage",
                clock,
                io.trustgate.config.TrustgateSettings.defaults().cache())) {
            PushedImage a = s.push("demo/outage/app");
            s.sign(alice, a);
            Policy policy = s.policy("outage", 1, List.of(signer("alice", alice)));
            AdmissionHandler handler = s.handler(() -> new PolicySet(List.of(policy), List.of()));
            String pinned = a.host() + "/" + a.path() + ":" + a.tag() + "@" + a.digest(); // what /mutate writes
            assertThat(validate(handler, a.reference()).allowed()).isTrue();
            assertThat(validate(handler, a.digestReference()).allowed()).isTrue();

            PushedImage b = ImageFactory.pushRandom(s.registry, a.path(), a.tag()); // the tag moves, unsigned
            assertThat(b.digest()).isNotEqualTo(a.digest());
            clock.advance(Duration.ofMinutes(6)); // every verdict, tag and signature cache entry has expired
            s.lookaside.close();

            AdmissionHandler.Decision lookasideDown = validate(handler, a.reference());
            assertThat(lookasideDown.allowed())
                    .as("the old verdict is about %s, not %s", a.digest(), b.digest())
                    .isFalse();
            assertThat(lookasideDown.message())
                    .contains(b.digest())
                    .contains("could not be read from " + s.lookaside.baseUrl());
            assertThat(lookasideDown.warnings()).noneMatch(w -> w.contains("admitted on the verdict"));

            s.registry.close();
            clock.advance(Duration.ofMinutes(1)); // the failures cached above have expired too
            AdmissionHandler.Decision registryDown = validate(handler, a.reference());
            assertThat(registryDown.allowed()).isFalse();
            assertThat(registryDown.message())
                    .contains("could not be reached")
                    .contains("the tag's current digest is unknown")
                    .contains(a.digest());
            assertThat(registryDown.warnings()).noneMatch(w -> w.contains("admitted on the verdict"));
            ImageVerdict forMutate = s.stack
                    .verifier()
                    .verify(ImageReference.parse(a.reference()), List.of(policy), RegistryCredentials.ANONYMOUS)
                    .get(30, TimeUnit.SECONDS);
            assertThat(forMutate.pinRequired())
                    .as("only a pod pinned to the old digest may use it")
                    .isTrue();
            assertThat(forMutate.digest()).isEqualTo(a.digest());
            AdmissionHandler.Decision pinnedByMutate = mutate(handler, a.reference());
            assertThat(pinnedByMutate.allowed())
                    .as("/mutate admits only by pinning the old digest: %s", pinnedByMutate.message())
                    .isTrue();
            assertThat(pinnedByMutate.patch()).singleElement().satisfies(op -> {
                assertThat(op.path()).isEqualTo("/spec/containers/0/image");
                assertThat(op.value())
                        .isEqualTo(a.reference() + "@" + a.digest())
                        .doesNotContain(b.digest());
            });
            assertThat(pinnedByMutate.warnings()).anyMatch(w -> w.contains("is pinned to " + a.digest()));

            for (String sameDigest : List.of(pinned, a.digestReference())) {
                AdmissionHandler.Decision stale = validate(handler, sameDigest);
                assertThat(stale.allowed())
                        .as("%s: %s", sameDigest, stale.message())
                        .isTrue();
                assertThat(stale.warnings())
                        .singleElement()
                        .asString()
                        .contains("admitted on the verdict of")
                        .contains(a.digest())
                        .contains("upstreams failed");
            }
        }
    }

    @Test
    @DisplayName("a signature added after a denial is admitted within the denial TTL, though signatures and verdicts "
            + "are otherwise cached far longer")
    void signAfterDeny() throws Exception {
        Duration denialTtl = Duration.ofSeconds(2);
        CacheSettings cache =
                io.trustgate.config.TrustgateSettings.defaults().cache().withDenialTtl(denialTtl);
        assertThat(cache.signatureTtl()).isGreaterThan(denialTtl.multipliedBy(10));
        try (Setup s = new Setup("sign-after-deny", Clock.systemUTC(), cache)) {
            PushedImage unsigned = s.push("demo/late/unsigned");
            PushedImage half = s.push("demo/late/half");
            s.sign(alice, half);
            Policy one = s.policy("late-one", 1, List.of(signer("alice", alice)));
            Policy two = s.policy("late-two", 2, List.of(signer("alice", alice), signer("bob", bob)));
            AdmissionHandler handler = s.handler(() -> new PolicySet(List.of(one), List.of()));
            AdmissionHandler twoHandler = s.handler(() -> new PolicySet(List.of(two), List.of()));

            AdmissionHandler.Decision denied = validate(handler, unsigned.reference());
            assertThat(denied.allowed()).isFalse();
            assertThat(denied.message()).contains("no GPG signatures for " + unsigned.digest());
            assertThat(validate(twoHandler, half.reference()).message()).contains("missing [bob]");

            s.sign(alice, unsigned); // signature-1 appears where there was a 404
            s.sign(bob, half); // signature-2 appears after a list that was already read
            assertThat(admittedWithin(handler, unsigned.reference(), denialTtl.plusSeconds(2)))
                    .isLessThanOrEqualTo(denialTtl.plusSeconds(1));
            assertThat(admittedWithin(twoHandler, half.reference(), denialTtl.plusSeconds(2)))
                    .isLessThanOrEqualTo(denialTtl.plusSeconds(1));
        }
    }

    /** How long until the image is admitted, polling; fails after {@code limit}. */
    private static Duration admittedWithin(AdmissionHandler handler, String image, Duration limit) throws Exception {
        long start = System.nanoTime();
        while (true) {
            AdmissionHandler.Decision d = validate(handler, image);
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            if (d.allowed()) {
                return waited;
            }
            assertThat(waited).as("still denied: %s", d.message()).isLessThan(limit);
            Thread.sleep(100);
        }
    }

    @Test
    @DisplayName("directory mode: replacing the key in a keysFrom Secret file changes the very next verdict, "
            + "though the policy document and its resourceVersion are unchanged")
    void keyRotationInDirectory() throws Exception {
        MutableClock clock = MutableClock.at(Instant.now());
        try (Setup s = new Setup(
                "key-rotation",
                clock,
                io.trustgate.config.TrustgateSettings.defaults().cache())) {
            PushedImage image = s.push("demo/rotation/app");
            s.sign(alice, image);
            Path dir = Files.createDirectories(base.resolve("rotation-policies"));
            Files.writeString(dir.resolve("policy.yaml"), """
                    apiVersion: trustgate.io/v1alpha1
                    kind: ClusterTrustPolicy
                    metadata: {name: rotation}
                    spec:
                      images: ["%s/**"]
                      lookaside: %s
                      signers:
                        - name: release
                          keysFrom: {secretKeyRef: {name: release-keys, key: pubring.asc}}
                    """.formatted(s.registry.host(), s.lookaside.baseUrl()));
            Path secret = dir.resolve("release-keys.yaml");
            writeKeySecret(secret, gpg.exportPublic(alice));
            PolicyDirectory directory = new PolicyDirectory(dir, "trustgate", VerifierStack.keyCheck());
            AtomicReference<PolicySet> current = new AtomicReference<>(directory.load());
            AdmissionHandler handler = s.handler(current::get);
            assertThat(validate(handler, image.reference()).allowed()).isTrue();
            Policy before = current.get().policies().get(0);

            writeKeySecret(secret, gpg.exportPublic(bob)); // the release key is rotated to Bob's
            current.set(directory.load());
            Policy after = current.get().policies().get(0);
            assertThat(after.resourceVersion()).isEqualTo(before.resourceVersion());
            assertThat(after.keyFingerprint()).isNotEqualTo(before.keyFingerprint());
            AdmissionHandler.Decision rotated = validate(handler, image.reference());
            assertThat(rotated.allowed())
                    .as("Alice's key no longer counts, within the 5-minute verdict TTL")
                    .isFalse();
            assertThat(rotated.message()).contains("signed by no trusted signer");

            writeKeySecret(secret, gpg.exportPublic(alice));
            current.set(directory.load());
            assertThat(validate(handler, image.reference()).allowed())
                    .as("and back")
                    .isTrue();

            Files.delete(secret); // the key is removed: the policy cannot load and denies what it governs
            current.set(directory.load());
            AdmissionHandler.Decision removed = validate(handler, image.reference());
            assertThat(removed.allowed()).isFalse();
            assertThat(removed.message()).contains("Secret trustgate/release-keys has no key \"pubring.asc\"");
        }
    }

    private static void writeKeySecret(Path file, String armoured) throws Exception {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: v1
                kind: Secret
                metadata: {name: release-keys, namespace: trustgate}
                stringData:
                  pubring.asc: |
                """);
        armoured.lines().forEach(l -> yaml.append("    ").append(l).append('\n'));
        Files.writeString(file, yaml);
    }
}
