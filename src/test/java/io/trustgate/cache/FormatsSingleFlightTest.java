package io.trustgate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.config.TrustgateSettings;
import io.trustgate.image.ImageReference;
import io.trustgate.k8s.PolicyDirectory;
import io.trustgate.policy.Policy;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.runtime.VerifierStack;
import io.trustgate.testing.CosignCli;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.NotationCli;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.SigningClis;
import io.trustgate.testing.VerifierFixture;
import io.trustgate.verify.ImageVerdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 200 concurrent reviews of one new image signed with cosign 2 ({@code .sig} tag), cosign 3 (a bundle in the
 * referrers tag) or Notation (JWS, referrers tag), through the production verifier stack ({@link VerifierStack}: its
 * caches, single flight and every signature source, under a policy that turns cosign and Notation on together): the
 * real registry's access log must show each upstream object fetched exactly once.
 */
class FormatsSingleFlightTest {

    private static RegistryPeer registry;
    private static VerifierFixture fixture;
    private static VerifierStack stack;
    private static ExecutorService starters;
    private static SigningClis clis;
    private static Path alice;
    private static Path bob;
    private static Path release;
    private static Policy policy;

    @BeforeAll
    static void start() throws Exception {
        Path work = Files.createTempDirectory(PeerProcess.peerDir("formats-flight"), "run-");
        registry = RegistryPeer.builder("formats-flight").start();
        fixture = VerifierFixture.start(Clock.systemUTC(), registry);
        clis = SigningClis.create(work);
        alice = clis.cosign2().keyPair("alice");
        bob = clis.cosign3().keyPair("bob");
        release = clis.notation().signingKey("release");
        Path dir = Files.createDirectories(work.resolve("policies"));
        Files.writeString(dir.resolve("flight.yaml"), """
                apiVersion: trustgate.io/v1alpha1
                kind: ClusterTrustPolicy
                metadata:
                  name: flight
                spec:
                  images: ["%s/flight/**"]
                  cosign: {}
                  notation: {}
                  signedIdentity: matchRepository
                  signers:
                    - name: alice
                      keys:
                        - |
                %s
                    - name: bob
                      keys:
                        - |
                %s
                    - name: release
                      keys:
                        - |
                %s
                  minSignatures: 1
                """.formatted(
                        registry.host(),
                        indent(CosignCli.publicKey(alice)),
                        indent(CosignCli.publicKey(bob)),
                        indent(NotationCli.certificate(release))));
        policy = new PolicyDirectory(dir, "trustgate", VerifierStack.keyCheck())
                .load()
                .policies()
                .get(0);
        TrustgateSettings settings = TrustgateSettings.load(
                s -> s.env().equals("TRUSTGATE_INSECURE_REGISTRIES") ? Optional.of(registry.host()) : Optional.empty());
        stack = fixture.own(
                VerifierStack.create(fixture.vertx(), settings.stack(Clock.systemUTC(), VerifierStack.Hooks.NONE)));
        starters = fixture.own(Executors.newFixedThreadPool(2), ExecutorService::shutdownNow);
    }

    private static String indent(String pem) {
        return pem.strip()
                .lines()
                .map(l -> "              " + l)
                .reduce((a, b) -> a + "\n" + b)
                .orElseThrow();
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cosign2", "cosign3", "notation"})
    @DisplayName("200 concurrent reviews of one new signed image (by tag) fetch each upstream object exactly once")
    void eachObjectOnce(String format) throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "flight/" + format, "1.0");
        switch (format) {
            case "cosign2" -> clis.cosign2().sign(alice, img.digestReference());
            case "cosign3" -> clis.cosign3().sign(bob, img.digestReference());
            default -> clis.notation().sign(release, img.digestReference(), "jws");
        }
        String prefix = "/v2/" + img.path() + "/";
        int before = registry.requests().size();

        ImageReference ref = ImageReference.parse(img.reference());
        List<CompletableFuture<ImageVerdict>> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // Starts each verify() on another thread; the inner future is composed at once.
            @SuppressWarnings("FutureReturnValueIgnored")
            CompletableFuture<CompletableFuture<ImageVerdict>> started = CompletableFuture.supplyAsync(
                    () -> stack.verifier().verify(ref, List.of(policy), RegistryCredentials.ANONYMOUS), starters);
            all.add(started.thenCompose(f -> f));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(all)
                .allSatisfy(f -> assertThat(f.join().verdicts().get(0).satisfied())
                        .as("%s", f.join().verdicts().get(0).findings())
                        .isTrue());

        Map<String, Integer> fetched = new TreeMap<>();
        registry.requests().stream()
                .skip(before)
                .filter(e -> e.uri().startsWith(prefix))
                .forEach(e -> fetched.merge(e.method() + " " + e.uri(), 1, Integer::sum));
        String hex = img.hex();
        assertThat(fetched)
                .as("every request for the image's repository, by method and URI")
                .containsKey("HEAD " + prefix + "manifests/1.0")
                .containsKey("GET " + prefix + "manifests/sha256-" + hex + ".sig")
                .containsKey("GET " + prefix + "manifests/sha256-" + hex)
                .allSatisfy((request, times) -> assertThat(times).as(request).isEqualTo(1));
        long blobs =
                fetched.keySet().stream().filter(k -> k.contains("/blobs/")).count();
        // the image's own manifest by digest (Notation's signed descriptor names its media type and size) is not a
        // signature manifest; allSatisfy above has already checked it was asked for once at most
        long byDigest = fetched.keySet().stream()
                .filter(k -> k.contains("/manifests/sha256:") && !k.endsWith("/manifests/sha256:" + hex))
                .count();
        assertThat(blobs)
                .as("the signature's layer, bundle or envelope: %s", fetched)
                .isEqualTo(1);
        assertThat(byDigest)
                .as("the bundle or Notation signature manifest, fetched by digest: %s", fetched)
                .isEqualTo(format.equals("cosign2") ? 0 : 1);
    }
}
