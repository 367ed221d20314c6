package io.trustgate.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.admission.AdmissionHandler;
import io.trustgate.admission.AdmissionListener;
import io.trustgate.admission.MalformedReviewException;
import io.trustgate.admission.NamespaceLabels;
import io.trustgate.admission.PullCredentials;
import io.trustgate.cache.CacheSettings;
import io.trustgate.cache.CachingLookasideStore;
import io.trustgate.cache.CachingRegistryClient;
import io.trustgate.cache.CachingTrustDataFetcher;
import io.trustgate.image.ImageReference;
import io.trustgate.lookaside.LookasideStore;
import io.trustgate.notary.TrustDataFetcher;
import io.trustgate.notary.TrustDataNotFoundException;
import io.trustgate.notary.VersionStore;
import io.trustgate.pgp.SignedIdentity;
import io.trustgate.pgp.SimpleSigning;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.InvalidPolicyException;
import io.trustgate.policy.LabelSelector;
import io.trustgate.policy.Mode;
import io.trustgate.policy.NotaryConfig;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.PolicySet;
import io.trustgate.policy.Signer;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.MediaTypes;
import io.trustgate.registry.RegistryClient;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.transport.ServerAddresses;
import io.trustgate.transport.TransportOptions;
import io.trustgate.transport.UpstreamTrust;
import io.trustgate.transport.VertxLookasideStore;
import io.trustgate.transport.VertxRegistryClient;
import io.trustgate.transport.VertxTrustDataFetcher;
import io.trustgate.tuf.Limits;
import io.trustgate.verify.CosignSignatureSource;
import io.trustgate.verify.GpgSignatureSource;
import io.trustgate.verify.ImageVerifier;
import io.trustgate.verify.NotarySignatureSource;
import io.trustgate.verify.SignatureSource;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Work done once before readiness so that the JIT has compiled the review path before the first real review:
 * AdmissionReviews for a Pod and a Deployment parsed, decided by a real {@link AdmissionHandler} over a real
 * {@link ImageVerifier} (GPG simple signing and Notary v1, both required), and their answers written as JSON.
 *
 * <p>Nothing here touches the network or the webhook's state: the registry, lookaside store and Notary server are
 * in-memory fakes serving the throw-away signed data embedded under {@code io/trustgate/runtime/warmup} (see its
 * README); every round builds its own verifier, caches, Notary rollback state and crypto pool, and drops them.
 * The verification clock is fixed at the data's reference time, so the embedded data never expires. Every
 * round's decision must be "allowed": a round that is not is reported as a failure (the warm-up then says the
 * review path is broken, but never blocks anything).
 */
public final class Warmup {

    /** The repository of the embedded data (the Notary GUN; the GPG signature's identity is {@code GUN:TAG}). */
    public static final String GUN = "warmup.trustgate.invalid/app";

    /** The registry host of {@link #GUN}. */
    static final String REGISTRY = "warmup.trustgate.invalid";

    public static final String TAG = "1.0";

    /** Most rounds of one warm-up, whatever its time budget. */
    public static final int MAX_ROUNDS = 500;

    /** Longest wait for one decision; the embedded data is served from memory, so this is only a stall guard. */
    static final Duration ROUND_TIMEOUT = Duration.ofSeconds(5);

    private static final String DATA = "/io/trustgate/runtime/warmup/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NOTARY_SERVER = "https://notary.warmup.trustgate.invalid";
    private static final String LOOKASIDE = "https://lookaside.warmup.trustgate.invalid";
    private static final String LOOKASIDE_PLAIN = "http://lookaside.warmup.trustgate.invalid";

    /** What one warm-up did. */
    public record Result(int rounds, int admitted, Duration took, List<String> failures) {
        public Result {
            failures = List.copyOf(failures);
        }
    }

    private final Clock clock;
    private final String digest;
    private final Map<String, byte[]> trustData;
    private final byte[] signature;
    private final byte[] manifest;
    private final PolicySet policies;
    private final byte[] podReview;
    private final byte[] deploymentReview;

    private Warmup() {
        Instant reference = Instant.parse(text("reference-time").strip());
        clock = Clock.fixed(reference.plus(Duration.ofHours(1)), ZoneOffset.UTC);
        digest = text("digest").strip();
        trustData = Map.of(
                "root", bytes("notary-root.json"),
                "timestamp", bytes("notary-timestamp.json"),
                "snapshot", bytes("notary-snapshot.json"),
                "targets", bytes("notary-targets.json"),
                "targets/releases", bytes("notary-targets-releases.json"));
        signature = bytes("gpg-signature-1");
        manifest = bytes("manifest.json");
        policies = policies(LOOKASIDE, null);
        podReview = review(
                "Pod",
                "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + GUN + ":" + TAG
                        + "\"}],\"initContainers\":[{\"name\":\"init\",\"image\":\"" + GUN + "@" + digest + "\"}]}");
        deploymentReview = review(
                "Deployment",
                "\"spec\":{\"replicas\":1,\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + GUN
                        + ":" + TAG + "\"}]}}}");
    }

    /**
     * The warm-up policy: GPG signer and Notary signer both required, the lookaside store at {@code lookaside}, the
     * Notary server's CA {@code notaryCa} ({@code null}: none, for the in-memory fake).
     */
    private PolicySet policies(String lookaside, String notaryCa) {
        try {
            return new PolicySet(
                    List.of(new Policy(
                            PolicyId.cluster("trustgate-warmup"),
                            "trustgate-warmup",
                            "1",
                            Mode.Enforce,
                            LabelSelector.EVERYTHING,
                            List.of(ImagePattern.compile(GUN)),
                            new NotaryConfig(NOTARY_SERVER, notaryCa, List.of(text("notary-root-key.pem"))),
                            lookaside,
                            List.of(
                                    new Signer("warmup-gpg", List.of(text("gpg-key.asc")), List.of()),
                                    new Signer("warmup-notary", List.of(text("notary-signer.pem")), List.of())),
                            2,
                            List.of(),
                            SignedIdentity.DEFAULT)),
                    List.of());
        } catch (InvalidPolicyException e) {
            throw new IllegalStateException("the embedded warm-up policy is invalid", e);
        }
    }

    /** Loads the embedded data; an exception here means a broken build, not a broken environment. */
    public static Warmup load() {
        return new Warmup();
    }

    /**
     * Runs rounds until {@code budget} has passed or {@link #MAX_ROUNDS} are done; {@link Duration#ZERO} runs none.
     * Never throws for a failed round: failures are counted in the result. The upstreams are in-memory fakes.
     */
    public Result run(Duration budget) {
        long start = System.nanoTime();
        List<String> failures = new ArrayList<>();
        int[] done = loop(start + budget.toNanos(), failures, (crypto, end, n) -> round(crypto, end));
        return new Result(done[0], done[1], Duration.ofNanos(System.nanoTime() - start), failures);
    }

    /**
     * As {@link #run(Duration)}, but through the real transport: the embedded data is served by a loopback server
     * inside this process ({@code 127.0.0.1}, ephemeral ports, TLS with a CA made for it and plain HTTP), the
     * verifier's registry, lookaside and Notary clients are the real Vert.x ones (with {@code options}' timeouts
     * and limits, connecting only to that server), and the reviews are posted to that server's {@code /validate}
     * and {@code /mutate} over TLS, as the API server posts them to the webhook. Everything runs on a Vert.x
     * instance of its own, closed at the end. Rounds alternate between the registry and lookaside store over TLS
     * and over plain HTTP; the Notary server is always TLS. If the loopback server cannot start, the remaining
     * budget goes to in-memory rounds.
     */
    public Result run(Duration budget, TransportOptions options) {
        long start = System.nanoTime();
        long end = start + budget.toNanos();
        List<String> failures = new ArrayList<>();
        if (budget.isZero() || budget.isNegative()) {
            return new Result(0, 0, Duration.ZERO, failures);
        }
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        int[] done;
        try (WarmupUpstream upstream = WarmupUpstream.start(vertx, files(), digest);
                Transport transport = new Transport(vertx, options, upstream)) {
            done = loop(end, failures, (crypto, e, n) -> transportRound(crypto, e, n, transport));
            upstreamRequests = upstream.requests();
        } catch (Exception e) {
            failures.add("the loopback upstream failed, in-memory rounds instead: " + e);
            done = loop(end, failures, (crypto, e2, n) -> round(crypto, e2));
        } finally {
            try {
                vertx.close()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(ROUND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // its threads are daemons; nothing it holds outlives the warm-up
            }
        }
        return new Result(done[0], done[1], Duration.ofNanos(System.nanoTime() - start), failures);
    }

    /** Requests the loopback upstream answered in the last {@link #run(Duration, TransportOptions)}. */
    long upstreamRequests() {
        return upstreamRequests;
    }

    private volatile long upstreamRequests;

    /** One round of the warm-up; {@code n} counts from 1. */
    @FunctionalInterface
    private interface Round {
        int run(ExecutorService crypto, long end, int n) throws Exception;
    }

    /** Rounds until {@code end} or {@link #MAX_ROUNDS}; returns {rounds, admitted}. */
    private static int[] loop(long end, List<String> failures, Round round) {
        int rounds = 0;
        int admitted = 0;
        ExecutorService crypto = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "trustgate-warmup-crypto");
            t.setDaemon(true);
            return t;
        });
        try {
            while (rounds < MAX_ROUNDS
                    && System.nanoTime() - end < 0
                    && !Thread.currentThread().isInterrupted()) {
                rounds++;
                try {
                    admitted += round.run(crypto, end, rounds);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (TimeoutException e) {
                    if (System.nanoTime() - end >= 0) {
                        rounds--; // cut short by the budget, not failed
                        break;
                    }
                    if (failures.size() < 5) {
                        failures.add("a round took longer than " + ROUND_TIMEOUT);
                    }
                } catch (Exception e) {
                    if (failures.size() < 5) {
                        failures.add(e.toString());
                    }
                }
            }
        } finally {
            crypto.shutdownNow();
        }
        return new int[] {rounds, admitted};
    }

    private static CacheSettings cacheSettings() {
        return new CacheSettings(
                Duration.ofMinutes(5),
                Duration.ofMinutes(5),
                Duration.ofMinutes(5),
                Duration.ofMinutes(5),
                Duration.ofSeconds(30),
                Duration.ofMinutes(10),
                100,
                Duration.ofSeconds(30));
    }

    /**
     * A fresh verifier stack (its own caches, in-memory Notary rollback state) over the given upstream clients,
     * under {@code policySet}; the caller closes the returned Notary source.
     */
    private AdmissionHandler handler(
            ExecutorService crypto,
            CacheSettings cache,
            RegistryClient upstreamRegistry,
            LookasideStore upstreamLookaside,
            NotarySignatureSource notary,
            PolicySet policySet) {
        RegistryClient registry = new CachingRegistryClient(upstreamRegistry, cache, clock);
        LookasideStore lookaside = new CachingLookasideStore(upstreamLookaside, cache, clock);
        List<SignatureSource> sources = List.of(
                new GpgSignatureSource(lookaside, new SimpleSigning(clock), crypto),
                notary,
                new CosignSignatureSource(registry, crypto));
        ImageVerifier verifier = new ImageVerifier(registry, sources, clock, cache);
        return new AdmissionHandler(
                () -> policySet,
                NamespaceLabels.NONE,
                PullCredentials.ANONYMOUS,
                verifier,
                AdmissionHandler.Unmatched.deny,
                AdmissionListener.NONE,
                ROUND_TIMEOUT,
                AdmissionHandler.Pin.pods,
                clock);
    }

    private NotarySignatureSource notary(ExecutorService crypto, CacheSettings cache, TrustDataFetcher upstream) {
        return new NotarySignatureSource(
                server -> new CachingTrustDataFetcher(upstream, cache, clock, crypto),
                clock,
                Limits.DEFAULT,
                Duration.ofDays(7),
                VersionStore.inMemory());
    }

    /** One round: a fresh verifier stack over the fakes, a Pod for /validate and a Deployment for /mutate. */
    private int round(ExecutorService crypto, long end)
            throws IOException, MalformedReviewException, InterruptedException, ExecutionException, TimeoutException {
        CacheSettings cache = cacheSettings();
        NotarySignatureSource notary = notary(crypto, cache, new FakeNotary());
        AdmissionHandler handler = handler(crypto, cache, new FakeRegistry(), new FakeLookaside(), notary, policies);
        try {
            int admitted = 0;
            for (boolean mutating : new boolean[] {false, true}) {
                JsonNode review = JSON.readTree(mutating ? deploymentReview : podReview);
                long left = Math.max(1, Math.min(end - System.nanoTime(), ROUND_TIMEOUT.toNanos()));
                AdmissionHandler.Decision d = handler.decide(review, mutating).get(left, TimeUnit.NANOSECONDS);
                byte[] answer = JSON.writeValueAsBytes(AdmissionHandler.toReview(d));
                if (mutating) {
                    JSON.writeValueAsBytes(AdmissionHandler.toJsonPatch(d));
                }
                if (!d.allowed() || answer.length == 0) {
                    throw new IllegalStateException("the warm-up review was not admitted: " + d.message());
                }
                admitted++;
            }
            return admitted;
        } finally {
            notary.close();
        }
    }

    /**
     * One round through the real transport: a fresh verifier stack over the shared real clients (their connections
     * stay open between rounds, as the webhook's do), the reviews posted to the loopback server over TLS.
     */
    private int transportRound(ExecutorService crypto, long end, int n, Transport transport)
            throws InterruptedException, ExecutionException, TimeoutException, IOException {
        boolean overTls = n % 2 == 0;
        CacheSettings cache = cacheSettings();
        NotarySignatureSource notary = notary(crypto, cache, transport.notary);
        transport.upstream.handler(handler(
                crypto,
                cache,
                overTls ? transport.registryTls : transport.registryPlain,
                transport.lookaside,
                notary,
                overTls ? transport.policiesTls : transport.policiesPlain));
        try {
            int admitted = 0;
            for (boolean mutating : new boolean[] {false, true}) {
                long left = Math.max(1, Math.min(end - System.nanoTime(), ROUND_TIMEOUT.toNanos()));
                JsonNode answer = JSON.readTree(transport
                        .post(mutating ? "/mutate" : "/validate", mutating ? deploymentReview : podReview)
                        .get(left, TimeUnit.NANOSECONDS));
                JsonNode response = answer.path("response");
                if (!response.path("allowed").asBoolean(false)) {
                    throw new IllegalStateException("the warm-up review was not admitted: "
                            + response.path("status").path("message").asText(answer.toString()));
                }
                admitted++;
            }
            return admitted;
        } finally {
            transport.upstream.handler(null);
            notary.close();
        }
    }

    /** What the loopback server serves: URL path to body. */
    private Map<String, byte[]> files() {
        Map<String, byte[]> files = new HashMap<>();
        String repository = GUN.substring(REGISTRY.length() + 1);
        files.put("/v2/" + repository + "/manifests/" + TAG, manifest);
        files.put("/v2/" + repository + "/manifests/" + digest, manifest);
        files.put("/sigs/" + repository + "@" + digest.replace(':', '=') + "/signature-1", signature);
        trustData.forEach((role, body) -> files.put("/v2/" + GUN + "/_trust/tuf/" + role + ".json", body));
        return files;
    }

    /**
     * The real clients of one transport warm-up, shared by its rounds, all connecting to the loopback server only;
     * and the client that posts the reviews.
     */
    private final class Transport implements AutoCloseable {
        final WarmupUpstream upstream;
        final VertxRegistryClient registryTls;
        final VertxRegistryClient registryPlain;
        final VertxLookasideStore lookaside;
        final VertxTrustDataFetcher notary;
        final PolicySet policiesTls;
        final PolicySet policiesPlain;
        private final HttpClient reviews;

        Transport(Vertx vertx, TransportOptions options, WarmupUpstream upstream) {
            this.upstream = upstream;
            ServerAddresses addresses = upstream.addresses();
            TransportOptions tls = options.withTrust(UpstreamTrust.exclusive(upstream.caPem()));
            registryTls = new VertxRegistryClient(vertx, tls, clock, addresses);
            registryPlain = new VertxRegistryClient(vertx, tls.withInsecureHosts(REGISTRY), clock, addresses);
            lookaside = new VertxLookasideStore(vertx, tls, addresses);
            notary = new VertxTrustDataFetcher(vertx, tls, clock, NOTARY_SERVER, upstream.caPem(), addresses);
            policiesTls = policies(LOOKASIDE + "/sigs", upstream.caPem());
            policiesPlain = policies(LOOKASIDE_PLAIN + "/sigs", upstream.caPem());
            reviews = vertx.createHttpClient(new HttpClientOptions()
                    .setSsl(true)
                    .setVerifyHost(true)
                    .setKeepAlive(true)
                    .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(upstream.caPem()))));
        }

        /** Posts a review to the loopback server as the API server would; completes with the answer's body. */
        CompletableFuture<byte[]> post(String path, byte[] review) {
            return reviews.request(new RequestOptions()
                            .setMethod(HttpMethod.POST)
                            .setServer(upstream.tlsAddress())
                            .setHost(REGISTRY)
                            .setPort(443)
                            .setURI(path)
                            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json"))
                    .compose(request -> request.send(Buffer.buffer(review)))
                    .compose(response -> response.statusCode() == 200
                            ? response.body()
                            : io.vertx.core.Future.failedFuture(new IllegalStateException(
                                    "the loopback webhook answered " + response.statusCode())))
                    .map(Buffer::getBytes)
                    .toCompletionStage()
                    .toCompletableFuture();
        }

        @Override
        public void close() {
            reviews.close();
            registryTls.close();
            registryPlain.close();
            lookaside.close();
            notary.close();
        }
    }

    private byte[] review(String kind, String object) {
        String group = "Deployment".equals(kind) ? "apps" : "";
        return ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"warmup-"
                        + kind + "\",\"operation\":\"CREATE\",\"kind\":{\"group\":\"" + group
                        + "\",\"version\":\"v1\",\"kind\":\"" + kind
                        + "\"},\"namespace\":\"default\",\"name\":\"warmup\","
                        + "\"object\":{\"metadata\":{\"name\":\"warmup\",\"namespace\":\"default\"}," + object + "}}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String name) {
        try (InputStream in = Warmup.class.getResourceAsStream(DATA + name)) {
            return Objects.requireNonNull(in, "missing warm-up data " + name).readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    /** Resolves the warm-up repository's tag to the embedded digest; knows nothing else. */
    private final class FakeRegistry implements RegistryClient {
        @Override
        public CompletableFuture<ManifestDescriptor> resolve(ImageReference ref, RegistryCredentials credentials) {
            return CompletableFuture.completedFuture(new ManifestDescriptor(digest, MediaTypes.OCI_MANIFEST, 233));
        }
    }

    /** Serves the embedded signature as {@code signature-1} of the embedded digest. */
    private final class FakeLookaside implements LookasideStore {
        @Override
        public CompletableFuture<List<byte[]>> signatures(String baseUrl, ImageReference ref, String d) {
            return CompletableFuture.completedFuture(digest.equals(d) ? List.of(signature.clone()) : List.of());
        }
    }

    /** Serves the embedded role files; everything else (e.g. {@code 2.root}) is not found, as a server says. */
    private final class FakeNotary implements TrustDataFetcher {
        @Override
        public CompletableFuture<byte[]> fetch(String gun, String roleFile, long maxBytes) {
            byte[] file = GUN.equals(gun) ? trustData.get(roleFile) : null;
            return file == null
                    ? CompletableFuture.failedFuture(new TrustDataNotFoundException(gun, roleFile))
                    : CompletableFuture.completedFuture(file.clone());
        }
    }
}
