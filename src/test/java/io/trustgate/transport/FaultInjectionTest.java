package io.trustgate.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.admission.AdmissionHandler;
import io.trustgate.cache.CacheSettings;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.NotaryConfig;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.PolicySet;
import io.trustgate.policy.Signer;
import io.trustgate.runtime.VerifierStack;
import io.trustgate.testing.GpgPeer;
import io.trustgate.testing.HostileServer;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.LookasidePeer;
import io.trustgate.testing.NotaryCli;
import io.trustgate.testing.NotaryPeer;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.ToxiproxyPeer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Network faults injected by a real Toxiproxy between trustgate's verification stack (the webhook's own
 * {@link AdmissionHandler} over {@link VerifierStack}) and a real docker-registry, lookaside store and
 * notary-server. Every fault must end in a denial that names the upstream, within the review deadline; once
 * the fault is removed the next review is admitted; and after all of them the threads and upstream
 * connections are back to what they were (no leak).
 *
 * <p>The budget keeps production's order at less than half the time: a 3 s deadline (production 8 s) over a
 * 2 s request timeout (production 5 s), loose enough for a loaded 2-core machine. Caches are off (failure TTL 0) so that each review really
 * meets the fault, and stale-if-error is off except in the one test about it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Injected network faults (Toxiproxy) end in a denial naming the upstream, within the deadline")
class FaultInjectionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration DEADLINE = Duration.ofSeconds(3);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(1500);
    /** Scheduling slack on a loaded 2-core machine; a stall would be the fault's full length or forever. */
    static final Duration MARGIN = Duration.ofSeconds(2);
    /** Longer than the deadline plus the margin, so only a cut-off can end the review in time. */
    static final int LATENCY_MS = 6_000;

    /** The upstream a fault is put in front of. */
    enum Upstream {
        REGISTRY,
        LOOKASIDE,
        NOTARY
    }

    /** What the proxy (or the server behind it) does. */
    enum Fault {
        /** every answer 6 s late: more than the deadline */
        LATENCY,
        /** two bytes a second: a slowloris server */
        SLOWLORIS,
        /** the connection is reset (RST) after the first bytes of the answer */
        RESET_MID_BODY,
        /** the connection is closed (FIN) after the first bytes of the answer */
        TRUNCATED,
        /** a 200 whose chunked body never ends */
        ENDLESS_BODY,
        /** connections are accepted and never answered */
        SILENT,
        /** every request answered 503, by many reviews at once */
        UNAVAILABLE
    }

    private Vertx vertx;
    private RegistryPeer registry;
    private LookasidePeer lookaside;
    private GpgPeer gpg;
    private NotaryPeer notary;
    private ToxiproxyPeer toxiproxy;
    private final Map<Upstream, ToxiproxyPeer.Proxy> proxies = new TreeMap<>();
    private final Map<Upstream, String> realUpstreams = new TreeMap<>();
    private final Map<Upstream, HostileServer> endless = new TreeMap<>();
    private final Map<Upstream, HostileServer> unavailable = new TreeMap<>();
    private VerifierStack strict;
    private VerifierStack staleIfError;
    private AdmissionHandler handler;
    private AdmissionHandler staleHandler;
    private PushedImage gpgImage;
    private PushedImage notaryImage;
    private PushedImage gpgImage2;
    private Map<String, Integer> threadBaseline;
    private Map<Integer, Integer> connectionBaseline;

    @BeforeAll
    void start() throws Exception {
        vertx = Vertx.vertx();
        registry = RegistryPeer.builder("faults-registry").start();
        Path base = PeerProcess.peerDir("faults");
        lookaside = LookasidePeer.serve("faults-lookaside", Files.createTempDirectory(base, "lookaside-"));
        gpg = GpgPeer.create();
        String alice = gpg.generateKey("Alice", "alice@example.test");
        notary = NotaryPeer.start("faults-notary");
        toxiproxy = ToxiproxyPeer.start("faults-toxiproxy");
        realUpstreams.put(Upstream.REGISTRY, registry.host());
        realUpstreams.put(Upstream.LOOKASIDE, lookaside.baseUrl().replaceFirst("^http://", ""));
        realUpstreams.put(Upstream.NOTARY, notary.url().replaceFirst("^https://", ""));
        for (Upstream u : Upstream.values()) {
            proxies.put(u, toxiproxy.proxy(u.name().toLowerCase(Locale.ROOT), realUpstreams.get(u)));
            boolean tls = u == Upstream.NOTARY;
            endless.put(
                    u,
                    HostileServer.start(
                            "endless-" + u,
                            HostileServer.Behaviour.ENDLESS_BODY,
                            tls ? notary.ca().issueServer("endless-notary") : null));
            unavailable.put(
                    u,
                    HostileServer.start(
                            "unavailable-" + u,
                            HostileServer.Behaviour.UNAVAILABLE,
                            tls ? notary.ca().issueServer("unavailable-notary") : null));
        }
        String registryHost = proxies.get(Upstream.REGISTRY).host();

        // The images are pushed to the registry directly and signed through the (healthy) proxy, so that the
        // signed identity and the GUN name the host trustgate is pointed at.
        gpgImage = signGpg(alice, registryHost, "faults/gpg/app");
        gpgImage2 = signGpg(alice, registryHost, "faults/gpg/other");
        PushedImage pushed = ImageFactory.pushRandom(registry, "faults/notary/app", "1.0");
        notaryImage = new PushedImage(
                registryHost, pushed.path(), pushed.tag(), pushed.digest(), pushed.mediaType(), pushed.manifest());
        String gun = registryHost + "/" + notaryImage.path();
        NotaryCli cli = notary.cli(Files.createTempDirectory(base, "trust-"));
        cli.init(gun);
        cli.addhash(gun, notaryImage.tag(), notaryImage.manifest().length, notaryImage.hex());
        cli.publish(gun);
        JsonNode root = JSON.readTree(Files.readAllBytes(cli.trustDir()
                        .resolve("tuf")
                        .resolve(gun)
                        .resolve("metadata")
                        .resolve("root.json")))
                .path("signed");
        String rootCert = new String(
                Base64.getDecoder()
                        .decode(root.at("/keys/"
                                        + root.at("/roles/root/keyids/0").asText() + "/keyval/public")
                                .asText()),
                StandardCharsets.US_ASCII);
        List<String> targetsKeys = new ArrayList<>();
        root.at("/roles/targets/keyids").forEach(k -> targetsKeys.add(k.asText()));

        Policy gpgPolicy = Policy.builder(PolicyId.cluster("faults-gpg"), "faults-gpg-uid", "1")
                .images(List.of(ImagePattern.compile(registryHost + "/faults/gpg/**")))
                .lookaside("http://" + proxies.get(Upstream.LOOKASIDE).host())
                .signers(List.of(Signer.builder("alice")
                        .keys(List.of(gpg.exportPublic(alice)))
                        .build()))
                .build();
        Policy notaryPolicy = Policy.builder(PolicyId.cluster("faults-notary"), "faults-notary-uid", "1")
                .images(List.of(ImagePattern.compile(registryHost + "/faults/notary/**")))
                .notary(new NotaryConfig(
                        "https://" + proxies.get(Upstream.NOTARY).host(),
                        Files.readString(notary.caPem()),
                        List.of(rootCert)))
                .signers(List.of(Signer.builder("owner").keys(targetsKeys).build()))
                .build();
        PolicySet policies = new PolicySet(List.of(gpgPolicy, notaryPolicy), List.of());

        TransportOptions transport = io.trustgate.config.TrustgateSettings.defaults()
                .transport()
                .withInsecureHosts(registryHost)
                .withTimeouts(CONNECT_TIMEOUT, REQUEST_TIMEOUT);
        strict = stack(transport, Duration.ZERO);
        staleIfError = stack(transport, Duration.ofHours(1));
        handler = AdmissionHandler.builder(() -> policies, strict.verifier(), DEADLINE)
                .build();
        staleHandler = AdmissionHandler.builder(() -> policies, staleIfError.verifier(), DEADLINE)
                .build();

        // Warm up every pool the storm will use (event loops, crypto threads, pooled connections) with the same
        // concurrency as the 5xx storm, then take the baseline the leak check compares with.
        for (PushedImage image : List.of(gpgImage, notaryImage)) {
            awaitCondition("a first admission of " + image.reference(), () -> "denied", () -> {
                try {
                    return handler.decide(review(image.reference()))
                            .get(30, TimeUnit.SECONDS)
                            .allowed();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        List<CompletableFuture<AdmissionHandler.Decision>> warm = new ArrayList<>();
        for (int i = 0; i < STORM; i++) {
            warm.add(handler.decide(review(gpgImage.reference())));
            warm.add(handler.decide(review(notaryImage.reference())));
        }
        for (CompletableFuture<AdmissionHandler.Decision> d : warm) {
            AdmissionHandler.Decision decision = d.get(30, TimeUnit.SECONDS);
            assertThat(decision.allowed()).as("warm-up: %s", decision.message()).isTrue();
        }
        for (PushedImage image : List.of(gpgImage, notaryImage)) {
            assertThat(staleHandler
                            .decide(review(image.reference()))
                            .get(30, TimeUnit.SECONDS)
                            .allowed())
                    .isTrue();
        }
        threadBaseline = threads();
        connectionBaseline = connections();
    }

    private static final int STORM = 10;

    private VerifierStack stack(TransportOptions transport, Duration staleIfError) {
        CacheSettings noCaches = new CacheSettings(
                Duration.ZERO,
                Duration.ZERO,
                Duration.ZERO,
                Duration.ZERO,
                Duration.ZERO,
                staleIfError,
                1_000,
                Duration.ZERO);
        return VerifierStack.create(
                vertx,
                new VerifierStack.Settings(
                        transport,
                        noCaches,
                        Clock.systemUTC(),
                        io.trustgate.config.TrustgateSettings.defaults().expiryWarning(),
                        VerifierStack.Hooks.NONE));
    }

    private PushedImage signGpg(String fingerprint, String registryHost, String path) {
        PushedImage pushed = ImageFactory.pushRandom(registry, path, "1.0");
        PushedImage viaProxy = new PushedImage(
                registryHost, pushed.path(), pushed.tag(), pushed.digest(), pushed.mediaType(), pushed.manifest());
        gpg.signImage(fingerprint, viaProxy.reference(), lookaside.root());
        return viaProxy;
    }

    /**
     * Removes every fault: the proxy is disabled first (closing its connections, which also frees a toxic stuck
     * mid-chunk), cleared, pointed back at the real upstream and enabled; then the review waits until trustgate
     * has noticed the closed connections, so it does not race its own pool.
     */
    @AfterEach
    void heal() {
        for (Upstream u : Upstream.values()) {
            ToxiproxyPeer.Proxy proxy = proxies.get(u);
            proxy.enabled(false).heal().upstream(realUpstreams.get(u)).enabled(true);
            awaitClosed(proxy);
        }
    }

    private static void awaitClosed(ToxiproxyPeer.Proxy proxy) {
        proxy.awaitClientsClosed(Duration.ofSeconds(20));
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : Stream.of(List.<AutoCloseable>of(), endless.values(), unavailable.values())
                .flatMap(java.util.Collection::stream)
                .toList()) {
            c.close();
        }
        for (AutoCloseable c :
                new AutoCloseable[] {strict, staleIfError, toxiproxy, notary, lookaside, gpg, registry}) {
            if (c != null) {
                c.close();
            }
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    static Stream<Arguments> faults() {
        List<Arguments> all = new ArrayList<>();
        for (Fault f : Fault.values()) {
            for (Upstream u : Upstream.values()) {
                if (!System.getProperty("faults.only", u.name()).equals(u.name())) {
                    continue;
                }
                all.add(Arguments.of(f, u));
            }
        }
        return all.stream();
    }

    @Order(1)
    @ParameterizedTest(name = "{0} at the {1}")
    @MethodSource("faults")
    @DisplayName("a fault ends in a denial naming the upstream within the deadline, and the next review is admitted")
    void faultDeniesThenRecovers(Fault fault, Upstream upstream) throws Exception {
        PushedImage image = upstream == Upstream.NOTARY ? notaryImage : gpgImage;
        inject(fault, upstream);

        List<CompletableFuture<AdmissionHandler.Decision>> reviews = new ArrayList<>();
        long start = System.nanoTime();
        int count = fault == Fault.UNAVAILABLE ? STORM : 1;
        for (int i = 0; i < count; i++) {
            reviews.add(handler.decide(review(image.reference())));
        }
        for (CompletableFuture<AdmissionHandler.Decision> r : reviews) {
            AdmissionHandler.Decision d = r.get(DEADLINE.plus(MARGIN).toMillis() + 5_000, TimeUnit.MILLISECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("FAULT %s at %s: %d ms: %s%n", fault, upstream, took.toMillis(), d.message());
            assertThat(d.allowed())
                    .as("%s at %s must deny: %s", fault, upstream, d.message())
                    .isFalse();
            assertThat(took)
                    .as("%s at %s answered after %s", fault, upstream, took)
                    .isLessThan(DEADLINE.plus(MARGIN));
            assertNamesUpstream(d.message(), upstream);
        }
        if (fault == Fault.ENDLESS_BODY) {
            HostileServer server = endless.get(upstream);
            assertThat(server.requests()).as("the endless server was asked").isPositive();
            awaitCondition(
                    "the endless body to " + upstream + " is cut by trustgate",
                    server::streaming,
                    () -> server.streaming() == 0);
            assertThat(server.cutByClient()).isPositive();
            assertThat(server.bytesSent())
                    .as("bytes sent before trustgate hung up")
                    .isLessThan(HostileServer.ENDLESS_CAP_BYTES);
        }
        if (fault == Fault.UNAVAILABLE) {
            assertThat(unavailable.get(upstream).requests())
                    .as("the 503 server was asked")
                    .isPositive();
            // Answered connections go back to the pool: never more than it holds.
            assertThat(proxies.get(upstream).clientConnections())
                    .isLessThanOrEqualTo(HttpClientOptions.DEFAULT_MAX_POOL_SIZE);
        } else if (fault == Fault.LATENCY || fault == Fault.SLOWLORIS || fault == Fault.SILENT) {
            // Still under the fault, where no exchange can complete: every connection is one that gave no usable
            // answer, and trustgate must close it itself (the proxy would keep it open for ever), or each review
            // would leak one until the pool is exhausted.
            ToxiproxyPeer.Proxy proxy = proxies.get(upstream);
            awaitCondition(
                    "trustgate closes its connections to the faulty " + upstream,
                    proxy::clientConnections,
                    () -> proxy.clientConnections() == 0,
                    REQUEST_TIMEOUT.plus(MARGIN));
        } else {
            // The proxy or the hostile server closed the broken connections; trustgate must close its side too.
            // (An exchange that completed, e.g. over a resumed TLS session, may leave a kept-alive connection.)
            ToxiproxyPeer.Proxy proxy = proxies.get(upstream);
            awaitCondition(
                    "trustgate closes the connections " + upstream + " closed",
                    proxy::halfClosedClientConnections,
                    () -> proxy.halfClosedClientConnections() == 0);
        }
        heal();
        long again = System.nanoTime();
        AdmissionHandler.Decision next = handler.decide(review(image.reference()))
                .get(DEADLINE.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - again);
        assertThat(next.allowed())
                .as("after %s at %s the next review is admitted: %s", fault, upstream, next.message())
                .isTrue();
        assertThat(took).isLessThan(DEADLINE);
    }

    @Order(2)
    @Test
    @DisplayName(
            "a digest verified before is admitted with a warning while its lookaside is down; another digest is denied")
    void sameDigestStaleVerdict() throws Exception {
        String byDigest = gpgImage.digestReference();
        AdmissionHandler.Decision first = staleHandler.decide(review(byDigest)).get(10, TimeUnit.SECONDS);
        assertThat(first.allowed()).as(first.message()).isTrue();
        assertThat(first.warnings()).isEmpty();

        inject(Fault.SILENT, Upstream.LOOKASIDE);
        long start = System.nanoTime();
        AdmissionHandler.Decision stale = staleHandler.decide(review(byDigest)).get(10, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(stale.allowed()).as(stale.message()).isTrue();
        assertThat(took).isLessThan(DEADLINE.plus(MARGIN));
        assertThat(stale.warnings())
                .singleElement()
                .asString()
                .contains(byDigest)
                .contains("admitted on the verdict of")
                .contains("ClusterTrustPolicy/faults-gpg")
                .contains("lookaside http://" + proxies.get(Upstream.LOOKASIDE).host());

        AdmissionHandler.Decision other =
                staleHandler.decide(review(gpgImage2.digestReference())).get(10, TimeUnit.SECONDS);
        assertThat(other.allowed())
                .as("a digest never verified gets no stale verdict")
                .isFalse();
        assertNamesUpstream(other.message(), Upstream.LOOKASIDE);
    }

    @Order(3)
    @Test
    @DisplayName("after every fault the threads and the connections to the upstreams are back to the baseline")
    void noLeaks() {
        awaitCondition("threads back to the baseline " + threadBaseline, FaultInjectionTest::threads, () -> {
            Map<String, Integer> now = threads();
            return threadBaseline.entrySet().stream().allMatch(e -> now.getOrDefault(e.getKey(), 0) <= e.getValue())
                    && threadBaseline.keySet().containsAll(now.keySet());
        });
        // Connections trustgate keeps alive are bounded by the pool of each client; a connection that a fault
        // left open and nobody closes would stay ESTABLISHED beyond it.
        awaitCondition(
                "connections to the upstream proxies back to the baseline " + connectionBaseline,
                this::connections,
                () -> {
                    Map<Integer, Integer> now = connections();
                    return now.entrySet().stream()
                            .allMatch(e -> e.getValue()
                                    <= Math.max(
                                            connectionBaseline.getOrDefault(e.getKey(), 0),
                                            HttpClientOptions.DEFAULT_MAX_POOL_SIZE));
                });
        for (Upstream u : Upstream.values()) {
            assertThat(endless.get(u).streaming())
                    .as("endless bodies still streaming to " + u)
                    .isZero();
        }
    }

    // ---------------------------------------------------------------- faults

    private void inject(Fault fault, Upstream upstream) {
        ToxiproxyPeer.Proxy proxy = proxies.get(upstream);
        switch (fault) {
            case LATENCY -> proxy.toxic("latency", "downstream", Map.of("latency", LATENCY_MS));
            case SLOWLORIS ->
                proxy.toxic("slicer", "downstream", Map.of("average_size", 1, "size_variation", 0, "delay", 500_000));
            // A reset_peer toxic that never fires (toxicity 0) still makes Toxiproxy close with SO_LINGER 0: the
            // close after the limit becomes an RST instead of a FIN.
            case RESET_MID_BODY ->
                proxy.toxic("limit_data", "downstream", Map.of("bytes", cutAt(upstream)))
                        .toxic("reset_peer", "downstream", Map.of("timeout", 60_000), 0.0);
            case TRUNCATED -> proxy.toxic("limit_data", "downstream", Map.of("bytes", cutAt(upstream)));
            case SILENT -> proxy.toxic("timeout", "downstream", Map.of("timeout", 0));
            case ENDLESS_BODY -> proxy.upstream(endless.get(upstream).host());
            case UNAVAILABLE -> proxy.upstream(unavailable.get(upstream).host());
        }
        // New connections only: those pooled from earlier reviews are closed, as a restarting upstream would.
        proxy.enabled(false).enabled(true);
        awaitClosed(proxy);
    }

    /**
     * Where each connection is cut: inside the registry's headers, inside the signature's body, and for the
     * Notary server just past the TLS handshake (about 870 bytes from notary-server), inside the first answer.
     * Every connection is cut before its first answer is complete, so no fetch can succeed on a new one.
     */
    private static int cutAt(Upstream upstream) {
        return switch (upstream) {
            case REGISTRY -> 100;
            case LOOKASIDE -> 250;
            case NOTARY -> 1_000;
        };
    }

    private void assertNamesUpstream(String message, Upstream upstream) {
        String host = proxies.get(upstream).host();
        switch (upstream) {
            case REGISTRY -> assertThat(message).contains("registry " + host);
            case LOOKASIDE -> assertThat(message).contains("lookaside http://" + host);
            case NOTARY -> assertThat(message).containsIgnoringCase("notary").contains("https://" + host);
        }
    }

    // ---------------------------------------------------------------- leak accounting

    /**
     * trustgate's live threads by name family (digits dropped), e.g. {@code vert.x-eventloop-thread-#}: Vert.x's
     * and the crypto pools. The test's own threads (peers, the JDK client of the Toxiproxy API) are not counted.
     */
    private static Map<String, Integer> threads() {
        Map<String, Integer> families = new TreeMap<>();
        for (var info : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            String name = info.getThreadName();
            if (name.startsWith("vert.x-") || name.startsWith("vertx-") || name.startsWith("trustgate-")) {
                families.merge(name.replaceAll("\\d+", "#"), 1, Integer::sum);
            }
        }
        return families;
    }

    /** trustgate's open connections (ESTABLISHED or CLOSE_WAIT) to each proxy, by proxy port. */
    private Map<Integer, Integer> connections() {
        Map<Integer, Integer> out = new TreeMap<>();
        for (ToxiproxyPeer.Proxy p : proxies.values()) {
            out.put(p.port(), p.clientConnections());
        }
        return out;
    }

    private static void awaitCondition(String what, Supplier<?> now, BooleanSupplier condition) {
        awaitCondition(what, now, condition, Duration.ofSeconds(20));
    }

    private static void awaitCondition(String what, Supplier<?> now, BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; now " + now.get());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static JsonNode review(String image) {
        try {
            return JSON.readTree("""
                    {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE",
                     "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"default",
                     "object":{"spec":{"containers":[{"name":"a","image":"%s"}]}}}}""".formatted(image));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
