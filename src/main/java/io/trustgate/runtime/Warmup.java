package io.trustgate.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.admission.AdmissionHandler;
import io.trustgate.admission.MalformedReviewException;
import io.trustgate.cache.CacheSettings;
import io.trustgate.cache.CachingLookasideStore;
import io.trustgate.cache.CachingRegistryClient;
import io.trustgate.cache.CachingTrustDataFetcher;
import io.trustgate.image.ImageReference;
import io.trustgate.lookaside.LookasideStore;
import io.trustgate.notary.TrustDataFetcher;
import io.trustgate.notary.TrustDataNotFoundException;
import io.trustgate.notary.VersionStore;
import io.trustgate.pgp.SimpleSigning;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.InvalidPolicyException;
import io.trustgate.policy.NotaryConfig;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.PolicySet;
import io.trustgate.policy.Signer;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.MediaTypes;
import io.trustgate.registry.RegistryClient;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.tuf.Limits;
import io.trustgate.verify.CosignSignatureSource;
import io.trustgate.verify.GpgSignatureSource;
import io.trustgate.verify.ImageVerifier;
import io.trustgate.verify.NotarySignatureSource;
import io.trustgate.verify.SignatureSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
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

    public static final String TAG = "1.0";

    /** Most rounds of one warm-up, whatever its time budget. */
    public static final int MAX_ROUNDS = 500;

    /** Longest wait for one decision; the embedded data is served from memory, so this is only a stall guard. */
    static final Duration ROUND_TIMEOUT = Duration.ofSeconds(5);

    private static final String DATA = "/io/trustgate/runtime/warmup/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NOTARY_SERVER = "https://notary.warmup.trustgate.invalid";
    private static final String LOOKASIDE = "https://lookaside.warmup.trustgate.invalid";

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
        try {
            policies = new PolicySet(
                    List.of(Policy.builder(PolicyId.cluster("trustgate-warmup"), "trustgate-warmup", "1")
                            .images(List.of(ImagePattern.compile(GUN)))
                            .notary(new NotaryConfig(NOTARY_SERVER, null, List.of(text("notary-root-key.pem"))))
                            .lookaside(LOOKASIDE)
                            .signers(List.of(
                                    Signer.builder("warmup-gpg")
                                            .keys(List.of(text("gpg-key.asc")))
                                            .build(),
                                    Signer.builder("warmup-notary")
                                            .keys(List.of(text("notary-signer.pem")))
                                            .build()))
                            .minSignatures(2)
                            .build()),
                    List.of());
        } catch (InvalidPolicyException e) {
            throw new IllegalStateException("the embedded warm-up policy is invalid", e);
        }
        podReview = review(
                "Pod",
                "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + GUN + ":" + TAG
                        + "\"}],\"initContainers\":[{\"name\":\"init\",\"image\":\"" + GUN + "@" + digest + "\"}]}");
        deploymentReview = review(
                "Deployment",
                "\"spec\":{\"replicas\":1,\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + GUN
                        + ":" + TAG + "\"}]}}}");
    }

    /** Loads the embedded data; an exception here means a broken build, not a broken environment. */
    public static Warmup load() {
        return new Warmup();
    }

    /**
     * Runs rounds until {@code budget} has passed or {@link #MAX_ROUNDS} are done; {@link Duration#ZERO} runs none.
     * Never throws for a failed round: failures are counted in the result.
     */
    public Result run(Duration budget) {
        long start = System.nanoTime();
        long end = start + budget.toNanos();
        int rounds = 0;
        int admitted = 0;
        List<String> failures = new ArrayList<>();
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
                    admitted += round(crypto, end);
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
        return new Result(rounds, admitted, Duration.ofNanos(System.nanoTime() - start), failures);
    }

    /** One round: a fresh verifier stack over the fakes, a Pod for /validate and a Deployment for /mutate. */
    private int round(ExecutorService crypto, long end)
            throws IOException, MalformedReviewException, InterruptedException, ExecutionException, TimeoutException {
        CacheSettings cache = new CacheSettings(
                Duration.ofMinutes(5),
                Duration.ofMinutes(5),
                Duration.ofMinutes(5),
                Duration.ofMinutes(5),
                Duration.ofSeconds(30),
                Duration.ofMinutes(10),
                100,
                Duration.ofSeconds(30));
        RegistryClient registry = new CachingRegistryClient(new FakeRegistry(), cache, clock);
        LookasideStore lookaside = new CachingLookasideStore(new FakeLookaside(), cache, clock);
        NotarySignatureSource notary = new NotarySignatureSource(
                server -> new CachingTrustDataFetcher(new FakeNotary(), cache, clock, crypto),
                clock,
                Limits.DEFAULT,
                Duration.ofDays(7),
                VersionStore.inMemory());
        List<SignatureSource> sources = List.of(
                new GpgSignatureSource(lookaside, new SimpleSigning(clock), crypto),
                notary,
                new CosignSignatureSource(registry, crypto));
        ImageVerifier verifier = new ImageVerifier(registry, sources, clock, cache);
        AdmissionHandler handler = AdmissionHandler.builder(() -> policies, verifier, ROUND_TIMEOUT)
                .clock(clock)
                .build();
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
