package io.trustgate.testing;

import io.trustgate.config.TrustgateSettings;
import io.trustgate.transport.TransportOptions;
import io.trustgate.transport.VertxRegistryClient;
import io.trustgate.verify.ImageVerifier;
import io.trustgate.verify.SignatureSource;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The verifier side of a signature-source test, set up and torn down in one place: the real registries it reads
 * (trusted over plain HTTP), one Vert.x, the real {@link VertxRegistryClient} and a crypto pool, and whatever else the
 * test hands it with {@link #own}. {@link #close} closes all of them, the last owned first, and the registries last,
 * even when one of them fails to close.
 *
 * <pre>{@code
 * registry = RegistryPeer.builder("cosign-registry").start();
 * fixture = VerifierFixture.start(Clock.systemUTC(), registry);
 * verifier = fixture.verifier(new CosignSignatureSource(fixture.client(), fixture.crypto()));
 * ...
 * @AfterAll: if (fixture != null) fixture.close();
 * }</pre>
 */
public final class VerifierFixture implements AutoCloseable {

    /** Threads of the crypto pool: the two cores the tests run on. */
    private static final int CRYPTO_THREADS = 2;
    /** How long closing Vert.x may take before the test fails. */
    private static final long VERTX_CLOSE_SECONDS = 10;

    private final Deque<AutoCloseable> owned = new ArrayDeque<>();
    private Vertx vertx;
    private TransportOptions options;
    private VertxRegistryClient client;
    private ExecutorService crypto;

    private VerifierFixture() {}

    /**
     * Takes ownership of {@code registries} (closed when this is, even if starting fails), and starts Vert.x, a
     * registry client trusting every one of them over plain HTTP with {@code clock}, and the crypto pool.
     */
    public static VerifierFixture start(Clock clock, RegistryPeer... registries) throws Exception {
        VerifierFixture f = new VerifierFixture();
        Arrays.stream(registries).forEach(f::own);
        try {
            Vertx vertx = f.own(
                    Vertx.vertx(),
                    v -> v.close()
                            .toCompletionStage()
                            .toCompletableFuture()
                            .get(VERTX_CLOSE_SECONDS, TimeUnit.SECONDS));
            f.vertx = vertx;
            f.options = TrustgateSettings.defaults()
                    .transport()
                    .withInsecureHosts(
                            Arrays.stream(registries).map(RegistryPeer::host).toArray(String[]::new));
            f.crypto = f.own(Executors.newFixedThreadPool(CRYPTO_THREADS), ExecutorService::shutdownNow);
            f.client = f.own(new VertxRegistryClient(vertx, f.options, clock));
            return f;
        } catch (Exception | Error e) {
            f.closeAfter(e);
            throw e;
        }
    }

    public Vertx vertx() {
        return vertx;
    }

    /** The transport options the client was made with: the defaults, with the registries as insecure hosts. */
    public TransportOptions options() {
        return options;
    }

    public VertxRegistryClient client() {
        return client;
    }

    public ExecutorService crypto() {
        return crypto;
    }

    /** An {@link ImageVerifier} over this fixture's client with {@code sources}. */
    public ImageVerifier verifier(SignatureSource... sources) {
        return new ImageVerifier(client, List.of(sources));
    }

    /** Closes {@code resource} with this fixture, before everything owned earlier. */
    public <T extends AutoCloseable> T own(T resource) {
        owned.push(resource);
        return resource;
    }

    /** Closes {@code resource} with {@code closer} with this fixture, before everything owned earlier. */
    public <T> T own(T resource, Closer<T> closer) {
        owned.push(() -> closer.close(resource));
        return resource;
    }

    /** How to close something that is not {@link AutoCloseable}. */
    @FunctionalInterface
    public interface Closer<T> {
        void close(T resource) throws Exception;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!owned.isEmpty()) {
            try {
                owned.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void closeAfter(Throwable failure) {
        try {
            close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }
}
