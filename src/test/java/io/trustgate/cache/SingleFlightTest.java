package io.trustgate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.config.TrustgateSettings;
import io.trustgate.image.ImageReference;
import io.trustgate.pgp.SimpleSigning;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.transport.TransportOptions;
import io.trustgate.transport.VertxLookasideStore;
import io.trustgate.transport.VertxRegistryClient;
import io.trustgate.verify.GpgSignatureSource;
import io.trustgate.verify.ImageVerdict;
import io.trustgate.verify.ImageVerifier;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Concurrent checks of one new image do the upstream work once, counted at the real peers. */
class SingleFlightTest {

    @Test
    @DisplayName("200 concurrent checks of one new image make one tag resolution and one pass over the signatures")
    void oneUpstreamRequestEach() throws Exception {
        Vertx vertx = Vertx.vertx();
        ExecutorService crypto = Executors.newFixedThreadPool(2);
        Path lookasideDir = Files.createTempDirectory("tg-single-flight-");
        try (RegistryPeer registry = RegistryPeer.builder("single-flight").start();
                LookasidePeer lookaside = LookasidePeer.serve("single-flight", lookasideDir);
                GpgPeer gpg = GpgPeer.create()) {
            String alice = gpg.generateKey("Alice", "alice@example.test");
            ImageFactory.PushedImage img = ImageFactory.pushRandom(registry, "demo/flight/app", "1.0");
            gpg.signImage(alice, img.reference(), lookasideDir);
            Policy policy = Policy.builder(PolicyId.cluster("flight"), "uid", "1")
                    .images(List.of(ImagePattern.compile(registry.host() + "/demo/**")))
                    .lookaside(lookaside.baseUrl())
                    .signers(List.of(Signer.builder("alice")
                            .keys(List.of(gpg.exportPublic(alice)))
                            .build()))
                    .build();
            TransportOptions options = TrustgateSettings.defaults().transport().withInsecureHosts(registry.host());
            Clock clock = Clock.systemUTC();
            CacheSettings settings = TrustgateSettings.defaults().cache();
            ImageVerifier verifier = new ImageVerifier(
                    new CachingRegistryClient(new VertxRegistryClient(vertx, options, clock), settings, clock),
                    List.of(new GpgSignatureSource(
                            new CachingLookasideStore(new VertxLookasideStore(vertx, options), settings, clock),
                            new SimpleSigning(clock),
                            crypto)),
                    clock,
                    settings);
            long manifestsBefore = registry.manifestRequests(img.path());
            int lookasideBefore = lookaside.requests();

            ImageReference ref = ImageReference.parse(img.reference());
            List<CompletableFuture<ImageVerdict>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                // Starts each verify() on the crypto pool; the inner future is composed at once.
                @SuppressWarnings("FutureReturnValueIgnored")
                CompletableFuture<CompletableFuture<ImageVerdict>> started = CompletableFuture.supplyAsync(
                        () -> verifier.verify(ref, List.of(policy), RegistryCredentials.ANONYMOUS), crypto);
                all.add(started.thenCompose(f -> f));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();

            assertThat(all)
                    .allSatisfy(f ->
                            assertThat(f.join().verdicts().get(0).satisfied()).isTrue());
            assertThat(registry.manifestRequests(img.path()) - manifestsBefore)
                    .as("manifest requests at the registry")
                    .isEqualTo(1);
            assertThat(lookaside.requests() - lookasideBefore)
                    .as("signature-1 and the 404 of signature-2, asked for together")
                    .isEqualTo(2);
        } finally {
            crypto.shutdownNow();
            vertx.close();
        }
    }
}
