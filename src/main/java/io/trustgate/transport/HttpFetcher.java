package io.trustgate.transport;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.TrustOptions;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/**
 * One bounded HTTP exchange on Vert.x: follows redirects itself (never from https to http), enforces the
 * request timeout over the whole exchange, and stops reading (resetting the connection) once a body passes
 * its limit, so nothing is buffered beyond it. Never blocks the calling thread.
 *
 * <p>Vert.x core's client is used rather than {@code WebClient} because the latter's body codecs buffer the
 * whole body before a limit could be applied.
 */
final class HttpFetcher implements AutoCloseable {

    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    /** Largest declared body of an unwanted (non-2xx) answer that is drained to keep its connection. */
    private static final long DRAIN_LIMIT_BYTES = 16 * 1024;

    private final Vertx vertx;
    private final TransportOptions options;
    private final HttpClient client;

    /** A client trusting what {@link TransportOptions#trust()} says for each host. */
    HttpFetcher(Vertx vertx, TransportOptions options) {
        this(vertx, options, options.trust());
    }

    /**
     * @param trust the CA certificates this client trusts ({@link UpstreamTrust#exclusive} for a policy's
     *     per-server CA bundle), built into a trust manager by {@link UpstreamTrust}, the one builder
     */
    HttpFetcher(Vertx vertx, TransportOptions options, UpstreamTrust trust) {
        this.vertx = vertx;
        this.options = options;
        HttpClientOptions http = new HttpClientOptions()
                .setConnectTimeout((int) options.connectTimeout().toMillis())
                // The TLS handshake is part of connecting: without this, Vert.x gives a silent server 10 s.
                .setSslHandshakeTimeout(options.connectTimeout().toMillis())
                .setSslHandshakeTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
                .setVerifyHost(true)
                .setTrustAll(false)
                .setKeepAlive(true)
                .setDecompressionSupported(false)
                .setTrustOptions(TrustOptions.wrap(trust.trustManager()));
        this.client = vertx.createHttpClient(http);
    }

    /** A request: GET or HEAD of an absolute http(s) URL. */
    record Request(HttpMethod method, String url, MultiMap headers, long maxBodyBytes) {}

    /**
     * An answer. {@code body} is read only for 2xx answers to GET (empty otherwise).
     *
     * @param url the URL that answered (after redirects)
     */
    record Response(int status, MultiMap headers, Buffer body, String url) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** Why an exchange produced no usable answer. */
    enum Failure {
        CONNECT,
        TLS,
        UNTRUSTED,
        TIMEOUT,
        TOO_LARGE,
        DOWNGRADE,
        TOO_MANY_REDIRECTS,
        BAD_URL
    }

    /** An exchange failed; {@code url} is the one being fetched at the time. */
    static final class FetchException extends RuntimeException {
        final Failure failure;
        final String url;

        FetchException(Failure failure, String url, String message, Throwable cause) {
            super(message, cause);
            this.failure = failure;
            this.url = url;
        }
    }

    Future<Response> fetch(Request request) {
        return fetch(request, request.url(), request.headers(), 0);
    }

    private Future<Response> fetch(Request request, String url, MultiMap headers, int redirects) {
        return onceOrAgain(request.method(), url, headers, request.maxBodyBytes())
                .compose(response -> {
                    String location = response.header("Location");
                    if (!REDIRECTS.contains(response.status()) || location == null) {
                        return Future.succeededFuture(response);
                    }
                    if (redirects >= options.maxRedirects()) {
                        return Future.failedFuture(new FetchException(
                                Failure.TOO_MANY_REDIRECTS,
                                url,
                                "more than " + options.maxRedirects() + " redirects",
                                null));
                    }
                    URI from = URI.create(url);
                    URI to;
                    try {
                        to = from.resolve(new URI(location));
                    } catch (URISyntaxException | IllegalArgumentException e) {
                        return Future.failedFuture(
                                new FetchException(Failure.BAD_URL, url, "redirect to a malformed location", e));
                    }
                    String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
                    if (from.getScheme().equalsIgnoreCase("https") && !scheme.equals("https")) {
                        return Future.failedFuture(new FetchException(
                                Failure.DOWNGRADE, url, "refused redirect from https to " + to, null));
                    }
                    MultiMap next = MultiMap.caseInsensitiveMultiMap().addAll(headers);
                    if (!String.valueOf(from.getRawAuthority())
                            .equalsIgnoreCase(String.valueOf(to.getRawAuthority()))) {
                        next.remove(HttpHeaders.AUTHORIZATION); // credentials stay with the host they were meant for
                    }
                    return fetch(request, to.toString(), next, redirects + 1);
                });
    }

    /**
     * One exchange, sent once more on a new connection when a GET or HEAD had its connection closed under it: a
     * kept-alive connection the upstream had already closed (it restarted, or dropped idle connections) fails at
     * once, and denying a review for that would be needless. GET and HEAD are idempotent, so sending them again is
     * safe; it happens once at most, so an upstream that closes every connection is still reported, a few ms later,
     * and the review's deadline bounds both tries.
     */
    private Future<Response> onceOrAgain(HttpMethod method, String url, MultiMap headers, long maxBody) {
        return once(method, url, headers, maxBody).recover(t -> {
            boolean idempotent = HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method);
            return idempotent && closedBeforeAnswer(t) ? once(method, url, headers, maxBody) : Future.failedFuture(t);
        });
    }

    private static boolean closedBeforeAnswer(Throwable t) {
        if (!(t instanceof FetchException f) || f.failure != Failure.CONNECT) {
            return false;
        }
        for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
            if (c instanceof HttpClosedException) {
                return true;
            }
        }
        return false;
    }

    private Future<Response> once(HttpMethod method, String url, MultiMap headers, long maxBody) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Future.failedFuture(new FetchException(Failure.BAD_URL, url, "malformed URL", e));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if ((!scheme.equals("http") && !scheme.equals("https")) || uri.getHost() == null) {
            return Future.failedFuture(new FetchException(Failure.BAD_URL, url, "not an http(s) URL", null));
        }
        Promise<Response> promise = Promise.promise();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        long timeoutMs = options.requestTimeout().toMillis();
        long timer = vertx.setTimer(timeoutMs, id -> {
            if (promise.tryFail(new FetchException(
                    Failure.TIMEOUT, url, "no complete answer within " + options.requestTimeout(), null))) {
                HttpClientRequest r = sent.get();
                if (r != null) {
                    r.reset();
                }
            }
        });
        promise.future().onComplete(ignored -> vertx.cancelTimer(timer));
        RequestOptions request = new RequestOptions()
                .setMethod(method)
                .setAbsoluteURI(url)
                .setHeaders(headers)
                .setFollowRedirects(false)
                .setConnectTimeout(options.connectTimeout().toMillis());
        client.request(request).onComplete(created -> {
            if (created.failed()) {
                promise.tryFail(map(created.cause(), url));
                return;
            }
            HttpClientRequest r = created.result();
            sent.set(r);
            if (promise.future().isComplete()) {
                r.reset();
                return;
            }
            r.exceptionHandler(e -> promise.tryFail(map(e, url)));
            r.send().onComplete(answered -> {
                if (answered.failed()) {
                    promise.tryFail(map(answered.cause(), url));
                    return;
                }
                var response = answered.result();
                response.exceptionHandler(e -> promise.tryFail(map(e, url)));
                int status = response.statusCode();
                boolean wantBody = method.equals(HttpMethod.GET) && status >= 200 && status < 300;
                if (!wantBody) {
                    Response result = new Response(status, response.headers(), Buffer.buffer(), url);
                    response.handler(ignored -> {});
                    response.endHandler(ignored -> promise.tryComplete(result));
                    if (!method.equals(HttpMethod.HEAD) && promise.tryComplete(result)) {
                        long declared = contentLength(response.getHeader(HttpHeaders.CONTENT_LENGTH));
                        if (declared < 0 || declared > DRAIN_LIMIT_BYTES) {
                            r.reset(); // an unknown or large body is not wanted: do not wait for it
                        } else {
                            // A small declared body (the 404 of the next root version in every TUF update, of
                            // signature-N+1 in every lookaside read) is read and dropped so that the kept-alive
                            // connection goes back to the pool instead of being closed; a server that never
                            // sends it loses the connection after the request timeout.
                            long drain = vertx.setTimer(timeoutMs, id -> r.reset());
                            response.endHandler(ignored -> vertx.cancelTimer(drain));
                        }
                    }
                    return;
                }
                long declared = contentLength(response.getHeader(HttpHeaders.CONTENT_LENGTH));
                if (declared > maxBody) {
                    promise.tryFail(new FetchException(
                            Failure.TOO_LARGE,
                            url,
                            "body of " + declared + " bytes is over the limit of " + maxBody,
                            null));
                    r.reset();
                    return;
                }
                Buffer body = Buffer.buffer();
                response.handler(chunk -> {
                    if (promise.future().isComplete()) {
                        return;
                    }
                    if (body.length() + (long) chunk.length() > maxBody) {
                        promise.tryFail(new FetchException(
                                Failure.TOO_LARGE, url, "body over the limit of " + maxBody + " bytes", null));
                        r.reset();
                        return;
                    }
                    body.appendBuffer(chunk);
                });
                response.endHandler(
                        ignored -> promise.tryComplete(new Response(status, response.headers(), body, url)));
            });
        });
        return promise.future();
    }

    private static long contentLength(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private FetchException map(Throwable t, String url) {
        if (t instanceof FetchException f) {
            return f;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UpstreamTrust.UntrustedCertificateException u) {
                return new FetchException(Failure.UNTRUSTED, url, u.getMessage(), t);
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException) {
                return new FetchException(Failure.TLS, url, "TLS failed: " + c.getMessage(), t);
            }
            if (c instanceof java.util.concurrent.TimeoutException
                    || c instanceof io.netty.channel.ConnectTimeoutException) {
                return new FetchException(Failure.TIMEOUT, url, "timed out: " + c.getMessage(), t);
            }
            if (c instanceof ConnectException) {
                return new FetchException(Failure.CONNECT, url, "cannot connect: " + c.getMessage(), t);
            }
            if (c instanceof HttpClosedException) {
                return new FetchException(Failure.CONNECT, url, "connection closed before an answer", t);
            }
        }
        return new FetchException(Failure.CONNECT, url, String.valueOf(t.getMessage()), t);
    }

    @Override
    public void close() {
        client.close();
    }
}
