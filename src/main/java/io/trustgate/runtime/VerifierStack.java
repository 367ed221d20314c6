package io.trustgate.runtime;

import io.trustgate.cache.CacheSettings;
import io.trustgate.cache.CachingLookasideStore;
import io.trustgate.cache.CachingRegistryClient;
import io.trustgate.cache.CachingTrustDataFetcher;
import io.trustgate.cache.OutcomeCache;
import io.trustgate.k8s.PolicyCompiler;
import io.trustgate.lookaside.LookasideStore;
import io.trustgate.notary.TrustDataFetcher;
import io.trustgate.notary.TrustedRepository;
import io.trustgate.notary.VersionStore;
import io.trustgate.pgp.SimpleSigning;
import io.trustgate.policy.InvalidPolicyException;
import io.trustgate.policy.NotaryConfig;
import io.trustgate.registry.RegistryClient;
import io.trustgate.transport.TransportOptions;
import io.trustgate.transport.VertxLookasideStore;
import io.trustgate.transport.VertxRegistryClient;
import io.trustgate.transport.VertxTrustDataFetcher;
import io.trustgate.tuf.Limits;
import io.trustgate.verify.CosignSignatureSource;
import io.trustgate.verify.GpgSignatureSource;
import io.trustgate.verify.ImageVerifier;
import io.trustgate.verify.NotarySignatureSource;
import io.trustgate.verify.NotationSignatureSource;
import io.trustgate.verify.SignatureSource;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The verifier stack the webhook and the CLI share: Vert.x transport for registries, lookaside stores and
 * Notary servers, each behind its cache, the GPG and Notary signature sources on a crypto pool, and the
 * {@link ImageVerifier} over them. Plain Java (no CDI): the webhook's {@code Wiring} adapts it, passing its
 * metrics in as {@link Hooks}; the CLI uses it without hooks.
 *
 * <pre>{@code
 * TrustgateSettings settings = TrustgateSettings.fromEnvironment(System.getenv());
 * try (VerifierStack stack = VerifierStack.create(vertx, settings.stack(Clock.systemUTC(), VerifierStack.Hooks.NONE))) {
 *     ImageVerdict v = stack.verifier().verify(image, policies, credentials).join();
 * }
 * }</pre>
 */
public final class VerifierStack implements AutoCloseable {

    private static final String PGP_ARMOUR = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

    /**
     * How the stack is built.
     *
     * @param transport timeouts, size limits and insecure registries of every upstream client
     * @param cache lifetimes and bound of every cache
     * @param clock the reference time of signature, expiry and cache checks
     * @param expiryWarning Notary trust data expiring within this window adds a warning
     * @param hooks observers and decorators (metrics); {@link Hooks#NONE} for none
     * @param versions the Notary rollback state (highest versions trusted); its owner closes it, not the stack
     */
    public record Settings(
            TransportOptions transport,
            CacheSettings cache,
            Clock clock,
            Duration expiryWarning,
            Hooks hooks,
            VersionStore versions) {
        public Settings {
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(cache, "cache");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(expiryWarning, "expiryWarning");
            Objects.requireNonNull(hooks, "hooks");
            Objects.requireNonNull(versions, "versions");
        }

        /** With the Notary rollback state kept in memory for the life of the stack. */
        public Settings(
                TransportOptions transport, CacheSettings cache, Clock clock, Duration expiryWarning, Hooks hooks) {
            this(transport, cache, clock, expiryWarning, hooks, VersionStore.inMemory());
        }
    }

    /**
     * Plain callbacks through which an adapter observes the stack, without the stack knowing any metrics library.
     *
     * @param registry wraps the registry client that calls the network (below its cache)
     * @param lookaside wraps the lookaside store that calls the network (below its cache)
     * @param notary wraps the fetcher of one Notary server (given as its URL), below its cache
     * @param verifiedRepository hears every Notary repository whose trust data was verified
     * @param cacheCreated hears every cache made, with labels that tell it apart (e.g. {@code server})
     */
    public record Hooks(
            UnaryOperator<RegistryClient> registry,
            UnaryOperator<LookasideStore> lookaside,
            BiFunction<String, TrustDataFetcher, TrustDataFetcher> notary,
            Consumer<TrustedRepository> verifiedRepository,
            BiConsumer<OutcomeCache<?, ?>, Map<String, String>> cacheCreated) {

        public static final Hooks NONE =
                new Hooks(r -> r, l -> l, (server, f) -> f, repository -> {}, (cache, labels) -> {});

        public Hooks {
            Objects.requireNonNull(registry, "registry");
            Objects.requireNonNull(lookaside, "lookaside");
            Objects.requireNonNull(notary, "notary");
            Objects.requireNonNull(verifiedRepository, "verifiedRepository");
            Objects.requireNonNull(cacheCreated, "cacheCreated");
        }
    }

    private final ExecutorService crypto;
    private final VertxRegistryClient registryClient;
    private final VertxLookasideStore lookasideStore;
    private final NotarySignatureSource notarySource;
    private final ImageVerifier verifier;

    private VerifierStack(Vertx vertx, Settings settings) {
        Clock clock = settings.clock();
        CacheSettings cache = settings.cache();
        Hooks hooks = settings.hooks();
        TransportOptions options = settings.transport();
        crypto = cryptoExecutor();
        lookasideStore = new VertxLookasideStore(vertx, options);
        registryClient = new VertxRegistryClient(vertx, options, clock);
        CachingLookasideStore lookaside =
                new CachingLookasideStore(hooks.lookaside().apply(lookasideStore), cache, clock);
        CachingRegistryClient registry =
                new CachingRegistryClient(hooks.registry().apply(registryClient), cache, clock);
        Function<NotaryConfig, TrustDataFetcher> notaryServers = VertxTrustDataFetcher.factory(vertx, options, clock);
        Function<NotaryConfig, TrustDataFetcher> cachedNotary = server -> {
            String url = String.valueOf(server.server());
            CachingTrustDataFetcher fetcher = new CachingTrustDataFetcher(
                    hooks.notary().apply(url, notaryServers.apply(server)), cache, clock, crypto);
            hooks.cacheCreated().accept(fetcher.cache(), Map.of("server", url));
            return fetcher;
        };
        notarySource = new NotarySignatureSource(
                        cachedNotary, clock, Limits.DEFAULT, settings.expiryWarning(), settings.versions())
                .observe(hooks.verifiedRepository());
        List<SignatureSource> sources = List.of(
                new GpgSignatureSource(lookaside, new SimpleSigning(clock), crypto),
                notarySource,
                new CosignSignatureSource(registry, crypto),
                new NotationSignatureSource(registry, clock, crypto));
        verifier = new ImageVerifier(registry, sources, clock, cache);
        for (OutcomeCache<?, ?> c : List.of(registry.cache(), lookaside.cache(), verifier.verdictCache())) {
            hooks.cacheCreated().accept(c, Map.of());
        }
    }

    /** Builds the stack on {@code vertx}; {@link #close()} releases its clients and threads, not the Vert.x instance. */
    public static VerifierStack create(Vertx vertx, Settings settings) {
        return new VerifierStack(Objects.requireNonNull(vertx, "vertx"), Objects.requireNonNull(settings, "settings"));
    }

    /** The image verifier: tag to digest, then every signature source a policy uses, then the threshold. */
    public ImageVerifier verifier() {
        return verifier;
    }

    /**
     * The load-time check of a signer's key for the policy compiler: an OpenPGP armoured key for GPG,
     * otherwise a Notary key (PEM public key, PEM certificate or hex key id).
     */
    public static PolicyCompiler.KeyCheck keyCheck() {
        return new PolicyCompiler.KeyCheck() {
            @Override
            public void check(String signer, String key) throws InvalidPolicyException {
                if (key.contains(PGP_ARMOUR)) {
                    GpgSignatureSource.checkKey(signer, key);
                    return;
                }
                try {
                    NotarySignatureSource.checkKey(key);
                } catch (InvalidPolicyException e) {
                    if (CosignSignatureSource.isCosignKey(key)) {
                        return; // e.g. an Ed25519 cosign.pub, which Notary v1 has no use for
                    }
                    throw new InvalidPolicyException("signer \"" + signer + "\": " + e.getMessage(), e);
                }
            }

            @Override
            public void checkSigner(String signer, List<String> keys) throws InvalidPolicyException {
                GpgSignatureSource.checkSignerKeys(
                        signer,
                        keys.stream().filter(k -> k.contains(PGP_ARMOUR)).toList());
            }
        };
    }

    /** Signature checks run here, never on an I/O thread. */
    private static ExecutorService cryptoExecutor() {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "trustgate-crypto");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void close() {
        notarySource.close();
        registryClient.close();
        lookasideStore.close();
        crypto.shutdownNow();
    }
}
