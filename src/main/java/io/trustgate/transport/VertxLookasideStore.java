package io.trustgate.transport;

import io.trustgate.image.ImageReference;
import io.trustgate.lookaside.LookasideException;
import io.trustgate.lookaside.LookasideLayout;
import io.trustgate.lookaside.LookasideProtocolException;
import io.trustgate.lookaside.LookasideStore;
import io.trustgate.lookaside.LookasideUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * {@link LookasideStore} over Vert.x: {@code http(s)://} bases through the bounded HTTP client,
 * {@code file://} bases through Vert.x's asynchronous file system (for the CLI and {@code make run}).
 * Reads {@code signature-1..N} up to the first missing one or {@link TransportOptions#maxSignatures()}, and refuses
 * any file over {@link TransportOptions#maxSignatureBytes()}. The files are asked for in windows, each file of a window
 * at once: {@code signature-1} and {@code -2} first (one signature is the usual case, and the 404 of the next file is
 * what ends the list, so a signed image costs one round trip instead of two), then windows twice as wide. A window's
 * answers are read in order: files after the first missing one are ignored, and so is any failure after it.
 *
 * <pre>{@code
 * LookasideStore store = new VertxLookasideStore(vertx, TrustgateSettings.defaults().transport());
 * List<byte[]> sigs = store.signatures("https://sigs.example", ref, "sha256:...").join();
 * }</pre>
 */
public final class VertxLookasideStore implements LookasideStore, AutoCloseable {

    /** How many files the first window asks for at once. */
    static final int FIRST_WINDOW = 2;

    private final Vertx vertx;
    private final TransportOptions options;
    private final HttpFetcher http;

    public VertxLookasideStore(Vertx vertx, TransportOptions options) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.options = Objects.requireNonNull(options, "options");
        this.http = new HttpFetcher(vertx, options);
    }

    @Override
    public CompletableFuture<List<byte[]>> signatures(String baseUrl, ImageReference ref, String digest) {
        String scheme;
        try {
            LookasideLayout.directoryUrl(baseUrl, ref, digest); // validates the digest before any I/O
            scheme = URI.create(baseUrl).getScheme();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new LookasideProtocolException(
                    e.getMessage(),
                    baseUrl,
                    0,
                    "the lookaside URL must be http(s):// or file:// and the digest sha256:<hex>",
                    e));
        }
        scheme = scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") && !scheme.equals("file")) {
            return CompletableFuture.failedFuture(new LookasideProtocolException(
                    "unsupported URL scheme \"" + scheme + "\"", baseUrl, 0, "use https://, http:// or file://", null));
        }
        boolean file = scheme.equals("file");
        List<byte[]> found = new ArrayList<>();
        return window(baseUrl, ref, digest, 1, FIRST_WINDOW, found, file)
                .map(v -> List.copyOf(found))
                .toCompletionStage()
                .toCompletableFuture();
    }

    /** Files {@code first..first+width-1} (never past the limit) at once, then the next window if all were there. */
    private Future<Void> window(
            String baseUrl, ImageReference ref, String digest, int first, int width, List<byte[]> found, boolean file) {
        int last = Math.min(options.maxSignatures(), first + width - 1);
        if (first > last) {
            return Future.succeededFuture(); // bounded: signatures past the limit are not read
        }
        List<Future<Buffer>> files = new ArrayList<>(last - first + 1);
        for (int n = first; n <= last; n++) {
            String url = LookasideLayout.signatureUrl(baseUrl, ref, digest, n);
            files.add(file ? readFile(url) : readHttp(url));
        }
        // Future.join waits for every file of the window, failed or not; then they are read in order.
        return Future.join(files).transform(settled -> {
            for (Future<Buffer> f : files) {
                if (f.failed()) {
                    return Future.failedFuture(f.cause());
                }
                if (f.result() == null) {
                    return Future.succeededFuture(); // the first missing file ends the list
                }
                found.add(f.result().getBytes());
            }
            return window(baseUrl, ref, digest, last + 1, width * 2, found, file);
        });
    }

    /** The signature's bytes, or {@code null} when it does not exist. */
    private Future<Buffer> readHttp(String url) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().set(HttpHeaders.USER_AGENT, "trustgate");
        return http.fetch(new HttpFetcher.Request(HttpMethod.GET, url, headers, options.maxSignatureBytes()))
                .recover(t -> Future.failedFuture(toLookasideException(url, t)))
                .compose(response -> {
                    int status = response.status();
                    if (status == 200) {
                        return Future.succeededFuture(response.body());
                    }
                    if (status == 404) {
                        return Future.succeededFuture(null);
                    }
                    if (status >= 500 || status == 429 || status == 408) {
                        return Future.failedFuture(new LookasideUnavailableException(
                                "the store failed to answer", response.url(), status, "retry later", null));
                    }
                    return Future.failedFuture(new LookasideProtocolException(
                            "unexpected answer",
                            response.url(),
                            status,
                            "a lookaside store answers 200 or 404 for signature files",
                            null));
                });
    }

    private Future<Buffer> readFile(String url) {
        Path path;
        try {
            path = Path.of(URI.create(url));
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return Future.failedFuture(
                    new LookasideProtocolException("not a local file URL", url, 0, "use file:///absolute/path", e));
        }
        FileSystem fs = vertx.fileSystem();
        String name = path.toString();
        long max = options.maxSignatureBytes();
        return fs.exists(name)
                .compose(exists -> {
                    if (!exists) {
                        return Future.<Buffer>succeededFuture(null);
                    }
                    return fs.open(
                                    name,
                                    new OpenOptions()
                                            .setRead(true)
                                            .setWrite(false)
                                            .setCreate(false))
                            .compose(handle -> {
                                // Read one byte past the limit: enough to tell an oversized file, never more.
                                Buffer buffer = Buffer.buffer();
                                return handle.read(buffer, 0, 0, (int) Math.min(Integer.MAX_VALUE, max + 1))
                                        .eventually(v -> handle.close())
                                        .compose(read -> read.length() > max
                                                ? Future.failedFuture(new LookasideProtocolException(
                                                        "signature file over the limit of " + max + " bytes",
                                                        url,
                                                        0,
                                                        "a simple signature is a few KiB; this file is not one",
                                                        null))
                                                : Future.succeededFuture(read));
                            });
                })
                .recover(t -> t instanceof LookasideException
                        ? Future.failedFuture(t)
                        : Future.failedFuture(new LookasideUnavailableException(
                                "cannot read: " + t.getMessage(),
                                url,
                                0,
                                "check the lookaside directory's permissions",
                                t)));
    }

    private LookasideException toLookasideException(String url, Throwable t) {
        if (t instanceof LookasideException l) {
            return l;
        }
        if (t instanceof HttpFetcher.FetchException f) {
            return switch (f.failure) {
                case TOO_LARGE ->
                    new LookasideProtocolException(
                            f.getMessage(),
                            f.url,
                            0,
                            "a simple signature is a few KiB; the limit is " + options.maxSignatureBytes() + " bytes",
                            f);
                case DOWNGRADE, TOO_MANY_REDIRECTS, BAD_URL ->
                    new LookasideProtocolException(
                            f.getMessage(), f.url, 0, "check the lookaside URL and its redirects", f);
                case UNTRUSTED ->
                    new LookasideUnavailableException(
                            f.getMessage(),
                            f.url,
                            0,
                            "if the store uses a private CA, give trustgate that CA: TRUSTGATE_CA_BUNDLE, or "
                                    + "TRUSTGATE_CERTS_DIR/<host[:port]>/ca.crt (docs/configuration.md)",
                            f);
                case TLS ->
                    new LookasideUnavailableException(
                            f.getMessage(), f.url, 0, "check the store's certificate, or give trustgate its CA", f);
                case TIMEOUT ->
                    new LookasideUnavailableException(
                            "no answer within " + options.requestTimeout().toMillis() + " ms",
                            f.url,
                            0,
                            "the store is slow or down",
                            f);
                case CONNECT ->
                    new LookasideUnavailableException(
                            f.getMessage(), f.url, 0, "check that the store is up and reachable from trustgate", f);
            };
        }
        return new LookasideUnavailableException(String.valueOf(t.getMessage()), url, 0, "retry later", t);
    }

    @Override
    public void close() {
        http.close();
    }
}
