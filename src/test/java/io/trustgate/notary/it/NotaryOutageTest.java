package io.trustgate.notary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import io.trustgate.cache.CacheSettings;
import io.trustgate.image.ImageReference;
import io.trustgate.notary.TrustDataFetchException;
import io.trustgate.notary.TrustDataFetcher;
import io.trustgate.notary.TrustDataNotFoundException;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.NotaryConfig;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.runtime.VerifierStack;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.MutableClock;
import io.trustgate.testing.NotaryCli;
import io.trustgate.testing.NotaryPeer;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.Ports;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.transport.TransportOptions;
import io.trustgate.transport.VertxTrustDataFetcher;
import io.trustgate.verify.ImageVerdict;
import io.trustgate.verify.PolicyVerdict;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Notary failures classified like registry and lookaside failures (issue 9, part 2), against a real
 * notary-server that is then stopped: a network failure is "unavailable" (the last good verdict of the same
 * digest is served, briefly cached), a verification failure is a problem.
 */
@DisplayName("Notary outages against a real notary-server")
class NotaryOutageTest {

    @Test
    @DisplayName(
            "with notary-server stopped, the verified digest is served stale with a warning; a never-verified image is "
                    + "denied as unavailable")
    void outage() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (RegistryPeer registry =
                        RegistryPeer.builder("notary-outage-registry").start();
                NotaryPeer notary = NotaryPeer.start("notary-outage-server")) {
            NotaryCli cli = notary.cli(PeerProcess.peerDir("notary-outage-cli").resolve("trust"));
            String path = "it/outage";
            String gun = registry.host() + "/" + path;
            cli.init(gun);
            ImageFactory.PushedImage verified = ImageFactory.pushRandom(registry, path, "1.0");
            ImageFactory.PushedImage never = ImageFactory.pushRandom(registry, path, "2.0");
            for (ImageFactory.PushedImage i : List.of(verified, never)) {
                cli.addhash(gun, i.tag(), i.manifest().length, i.hex());
            }
            cli.publish(gun);
            String caPem = Files.readString(notary.caPem());
            Policy policy = Policy.builder(PolicyId.cluster("notary-outage"), "uid", "1")
                    .images(List.of(ImagePattern.compile(registry.host() + "/**")))
                    .notary(new NotaryConfig(notary.url(), caPem, List.of(TrustDir.rootCertificatePem(cli, gun))))
                    .signers(List.of(Signer.builder("owner")
                            .keys(TrustDir.roleKeyIds(cli, gun, "targets"))
                            .build()))
                    .build();
            TransportOptions options = io.trustgate.config.TrustgateSettings.defaults()
                    .transport()
                    .withInsecureHosts(registry.host())
                    .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2));
            MutableClock clock =
                    MutableClock.at(Instant.now()); // after signing: the root certificate is valid from then
            try (VerifierStack stack = VerifierStack.create(
                    vertx,
                    new VerifierStack.Settings(
                            options,
                            io.trustgate.config.TrustgateSettings.defaults().cache(),
                            clock,
                            Duration.ofDays(7),
                            VerifierStack.Hooks.NONE))) {
                PolicyVerdict first = verify(stack, verified.reference(), policy);
                assertThat(first.satisfied()).as("%s", first.findings()).isTrue();

                notary.close();
                clock.advance(Duration.ofMinutes(6)); // verdicts and trust files have expired from the caches

                PolicyVerdict stale = verify(stack, verified.reference(), policy);
                assertThat(stale.satisfied()).as("%s", stale.findings()).isTrue();
                assertThat(stale.digest()).isEqualTo(verified.digest());
                assertThat(stale.findings().warnings())
                        .singleElement()
                        .asString()
                        .contains("admitted on the verdict of")
                        .contains("Notary server");

                PolicyVerdict fresh = verify(stack, never.reference(), policy);
                assertThat(fresh.satisfied()).isFalse();
                assertThat(fresh.findings().unavailable())
                        .as("an outage, not a verification answer")
                        .isTrue();
                assertThat(fresh.findings().problems())
                        .singleElement()
                        .asString()
                        .contains("cannot reach the Notary server");
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("a tag signed with notary after a denial is admitted within the denial TTL, though trust files are "
            + "otherwise reused for 30 s")
    void signAfterDeny() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (RegistryPeer registry =
                        RegistryPeer.builder("notary-late-registry").start();
                NotaryPeer notary = NotaryPeer.start("notary-late-server")) {
            NotaryCli cli = notary.cli(PeerProcess.peerDir("notary-late-cli").resolve("trust"));
            String path = "it/late";
            String gun = registry.host() + "/" + path;
            cli.init(gun);
            cli.publish(gun);
            ImageFactory.PushedImage image = ImageFactory.pushRandom(registry, path, "1.0");
            Policy policy = Policy.builder(PolicyId.cluster("notary-late"), "uid", "1")
                    .images(List.of(ImagePattern.compile(registry.host() + "/**")))
                    .notary(new NotaryConfig(
                            notary.url(),
                            Files.readString(notary.caPem()),
                            List.of(TrustDir.rootCertificatePem(cli, gun))))
                    .signers(List.of(Signer.builder("owner")
                            .keys(TrustDir.roleKeyIds(cli, gun, "targets"))
                            .build()))
                    .build();
            Duration denialTtl = Duration.ofSeconds(2);
            CacheSettings cache =
                    io.trustgate.config.TrustgateSettings.defaults().cache().withDenialTtl(denialTtl);
            assertThat(cache.trustDataRecheck()).isGreaterThan(denialTtl.multipliedBy(10));
            TransportOptions options =
                    io.trustgate.config.TrustgateSettings.defaults().transport().withInsecureHosts(registry.host());
            try (VerifierStack stack = VerifierStack.create(
                    vertx,
                    new VerifierStack.Settings(
                            options, cache, Clock.systemUTC(), Duration.ofDays(7), VerifierStack.Hooks.NONE))) {
                PolicyVerdict denied = verify(stack, image.reference(), policy);
                assertThat(denied.satisfied()).isFalse();
                assertThat(denied.findings().problems())
                        .anySatisfy(p -> assertThat(p).contains("tag 1.0 is not signed"));

                cli.addhash(gun, "1.0", image.manifest().length, image.hex());
                cli.publish(gun);
                long start = System.nanoTime();
                while (!verify(stack, image.reference(), policy).satisfied()) {
                    assertThat(Duration.ofNanos(System.nanoTime() - start))
                            .as("still denied")
                            .isLessThan(denialTtl.plusSeconds(3));
                    Thread.sleep(100);
                }
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName(
            "the transport's failures: refused connection, silence and 503 are unavailable; an oversize answer and a 404 are not")
    void transportClassification() throws Exception {
        Vertx vertx = Vertx.vertx();
        HttpServer failing = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        failing.createContext("/", ex -> {
            ex.sendResponseHeaders(503, -1);
            ex.close();
        });
        failing.start();
        try (NotaryPeer notary = NotaryPeer.start("notary-classify-server")) {
            TransportOptions options = io.trustgate.config.TrustgateSettings.defaults()
                    .transport()
                    .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));
            String caPem = Files.readString(notary.caPem());
            String gun = "127.0.0.1:5000/never/signed";

            Throwable refused =
                    failure(fetcher(vertx, options, "http://127.0.0.1:" + Ports.free(), null), gun, "root", 1 << 20);
            assertThat(refused)
                    .isInstanceOfSatisfying(
                            TrustDataFetchException.class,
                            e -> assertThat(e.unavailable()).isTrue());
            Throwable unavailable503 = failure(
                    fetcher(
                            vertx,
                            options,
                            "http://127.0.0.1:" + failing.getAddress().getPort(),
                            null),
                    gun,
                    "root",
                    1 << 20);
            assertThat(unavailable503)
                    .isInstanceOfSatisfying(
                            TrustDataFetchException.class,
                            e -> assertThat(e.unavailable()).isTrue());

            Throwable notFound = failure(fetcher(vertx, options, notary.url(), caPem), gun, "root", 1 << 20);
            assertThat(notFound).isInstanceOf(TrustDataNotFoundException.class);
            NotaryCli cli =
                    notary.cli(PeerProcess.peerDir("notary-classify-cli").resolve("trust"));
            cli.init(gun);
            cli.publish(gun);
            Throwable tooLarge = failure(fetcher(vertx, options, notary.url(), caPem), gun, "root", 100);
            assertThat(tooLarge)
                    .isInstanceOfSatisfying(
                            TrustDataFetchException.class,
                            e -> assertThat(e.unavailable())
                                    .as("an answer, just an unusable one")
                                    .isFalse());
        } finally {
            failing.stop(0);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static TrustDataFetcher fetcher(Vertx vertx, TransportOptions options, String server, String caPem) {
        return new VertxTrustDataFetcher(vertx, options, Clock.systemUTC(), server, caPem);
    }

    private static Throwable failure(TrustDataFetcher fetcher, String gun, String role, long max) {
        Throwable t = catchThrowable(() -> fetcher.fetch(gun, role, max).get(20, TimeUnit.SECONDS));
        assertThat(t).as("the fetch must fail").isNotNull();
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static PolicyVerdict verify(VerifierStack stack, String reference, Policy policy) throws Exception {
        ImageVerdict v = stack.verifier()
                .verify(ImageReference.parse(reference), List.of(policy), RegistryCredentials.ANONYMOUS)
                .get(30, TimeUnit.SECONDS);
        return v.verdicts().get(0);
    }
}
