package io.trustgate.transport;

import io.trustgate.registry.AuthChallenge;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.registry.RegistryToken;
import io.trustgate.transport.TokenException.Problem;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The registry token flow (docker/distribution "token authentication", also spoken by Notary servers), once for
 * every client that meets a {@code WWW-Authenticate: Bearer realm=...,service=...,scope=...} challenge.
 *
 * <p>Invariants:
 * <ul>
 *   <li>The realm is an absolute http(s) URL without user info; it may name another host (Docker Hub's registry
 *       sends clients to auth.docker.io) but never plain HTTP when the upstream was reached over HTTPS, so basic
 *       credentials and tokens never travel in clear because an upstream said so.</li>
 *   <li>Tokens are cached by (realm, service, scope, credentials identity); the identity is a SHA-256 of user and
 *       password, so one pod's pull secret never serves another's and no password is kept or logged. A token
 *       lives {@code expires_in} on the injected clock, clamped to [{@link RegistryToken#DEFAULT_LIFETIME},
 *       {@link RegistryToken#MAX_LIFETIME}].</li>
 *   <li>Single flight: concurrent requests that need the same token share one token request.</li>
 *   <li>Bounded: the challenge header ({@link AuthChallenge#MAX_HEADER_CHARS}), the token answer
 *       ({@link TransportOptions#maxTokenBytes()}), and both maps ({@link #MAX_ENTRIES}).</li>
 * </ul>
 *
 * <pre>{@code
 * BearerTokens tokens = new BearerTokens(http, options.maxTokenBytes(), clock);
 * Future<HttpFetcher.Response> r = tokens.send(new BearerTokens.Need("https://registry.example", "repository:a/b:pull",
 *         credentials), token -> http.fetch(requestWith(token)));   // token is null when none is known yet
 * }</pre>
 */
final class BearerTokens {

    /** Most cached tokens, and most remembered upstream routes; past it the cache is emptied (tokens are cheap). */
    static final int MAX_ENTRIES = 4096;

    private static final int MAX_REALM_IN_MESSAGE = 200;

    private final HttpFetcher http;
    private final long maxTokenBytes;
    private final Clock clock;
    private final Map<TokenKey, RegistryToken> tokens = new ConcurrentHashMap<>();
    /** Which token an upstream's requests for a scope were last answered with: lets the next request send it at once. */
    private final Map<Route, TokenKey> routes = new ConcurrentHashMap<>();

    private final Map<TokenKey, Future<RegistryToken>> inFlight = new ConcurrentHashMap<>();

    BearerTokens(HttpFetcher http, long maxTokenBytes, Clock clock) {
        this.http = Objects.requireNonNull(http, "http");
        this.maxTokenBytes = maxTokenBytes;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * What a request needs a token for.
     *
     * @param upstream the base URL of the server asked ({@code https://host[:port]...}); its scheme decides
     *     whether a plain-HTTP realm is acceptable
     * @param scope the scope to ask for when the challenge names none, e.g. {@code repository:demo/app:pull}
     * @param credentials sent as basic auth to the realm unless anonymous
     */
    record Need(String upstream, String scope, RegistryCredentials credentials) {
        Need {
            Objects.requireNonNull(upstream, "upstream");
            Objects.requireNonNull(scope, "scope");
            credentials = credentials == null ? RegistryCredentials.ANONYMOUS : credentials;
        }
    }

    /**
     * Sends a request with the token known for {@code need} (or none), and when it is answered 401 with a Bearer
     * challenge, gets a token for that challenge and sends it once more. Every other answer, including the
     * retry's, is returned as it is (a retry refused with 401/403 also drops the token). Fails with
     * {@link TokenException} when no token could be had.
     *
     * @param request sends the request with {@code Authorization: Bearer <token>}, or without a bearer token
     *     when given {@code null}
     */
    Future<HttpFetcher.Response> send(Need need, Function<String, Future<HttpFetcher.Response>> request) {
        Route route = new Route(need.upstream(), need.scope(), identity(need.credentials()));
        RegistryToken known = cached(route);
        String sent = known == null ? null : known.value();
        return request.apply(sent).compose(first -> {
            if (first.status() != 401) {
                return Future.succeededFuture(first);
            }
            AuthChallenge challenge =
                    AuthChallenge.parse(first.header("WWW-Authenticate")).orElse(null);
            if (challenge == null || !challenge.isBearer()) {
                return Future.succeededFuture(first); // Basic or unknown: the caller's business
            }
            TokenKey key;
            try {
                key = keyFor(need, route, challenge);
            } catch (TokenException e) {
                return Future.failedFuture(e);
            }
            if (sent != null) {
                tokens.computeIfPresent(key, (k, t) -> t.value().equals(sent) ? null : t); // refused: never again
            }
            return token(key, need)
                    .compose(token -> {
                        remember(route, key);
                        return request.apply(token.value());
                    })
                    .compose(second -> {
                        if (second.status() == 401 || second.status() == 403) {
                            routes.remove(route, key);
                            tokens.remove(key);
                        }
                        return Future.succeededFuture(second);
                    });
        });
    }

    /** Drops every cached token (e.g. when credentials were rotated). */
    void clear() {
        tokens.clear();
        routes.clear();
    }

    private RegistryToken cached(Route route) {
        TokenKey key = routes.get(route);
        return key == null ? null : valid(key);
    }

    private RegistryToken valid(TokenKey key) {
        RegistryToken token = tokens.get(key);
        if (token != null && !token.validAt(clock.instant())) {
            tokens.remove(key, token);
            return null;
        }
        return token;
    }

    private TokenKey keyFor(Need need, Route route, AuthChallenge challenge) {
        String realm = challenge.param("realm").orElse("");
        URI uri = checkRealm(realm, need.upstream());
        return new TokenKey(
                uri.toString(),
                challenge.param("service").orElse(null),
                challenge.param("scope").orElse(need.scope()),
                route.identity());
    }

    /** The realm as a URL that may receive the credentials of a request to {@code upstream}. */
    static URI checkRealm(String realm, String upstream) {
        if (realm.isBlank()) {
            throw new TokenException(Problem.MISCONFIGURED, realm, 0, "the Bearer challenge names no realm", null);
        }
        URI uri;
        try {
            uri = new URI(realm);
        } catch (URISyntaxException e) {
            throw new TokenException(
                    Problem.MISCONFIGURED, realm, 0, "the token realm \"" + shown(realm) + "\" is not a URL", null);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if ((!scheme.equals("https") && !scheme.equals("http"))
                || uri.getHost() == null
                || uri.getRawUserInfo() != null
                || uri.getRawFragment() != null) {
            throw new TokenException(
                    Problem.MISCONFIGURED,
                    realm,
                    0,
                    "refused token realm \"" + shown(realm)
                            + "\": not an http(s) URL with a host (and no user info or fragment)",
                    null);
        }
        if (scheme.equals("http") && upstream.regionMatches(true, 0, "https:", 0, 6)) {
            throw new TokenException(
                    Problem.INSECURE_REALM,
                    realm,
                    0,
                    "refused token realm " + shown(realm) + ": plain HTTP for a server reached over HTTPS (" + upstream
                            + ")",
                    null);
        }
        return uri;
    }

    /** A valid cached token for {@code key}, or the one request for it that is (now) under way. */
    private Future<RegistryToken> token(TokenKey key, Need need) {
        RegistryToken known = valid(key);
        if (known != null) {
            return Future.succeededFuture(known);
        }
        Promise<RegistryToken> promise = Promise.promise();
        Future<RegistryToken> running = inFlight.putIfAbsent(key, promise.future());
        if (running != null) {
            return running;
        }
        request(key, need.credentials()).onComplete(done -> {
            inFlight.remove(key, promise.future());
            promise.handle(done);
        });
        return promise.future();
    }

    private Future<RegistryToken> request(TokenKey key, RegistryCredentials credentials) {
        StringBuilder url = new StringBuilder(key.realm()).append(key.realm().contains("?") ? '&' : '?');
        if (key.service() != null) {
            url.append("service=").append(encode(key.service())).append('&');
        }
        url.append("scope=").append(encode(key.scope()));
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .set(HttpHeaders.ACCEPT, "application/json")
                .set(HttpHeaders.USER_AGENT, "trustgate");
        if (!credentials.isAnonymous()) {
            headers.set(HttpHeaders.AUTHORIZATION, credentials.basicAuthorization());
        }
        String realm = key.realm();
        return http.fetch(new HttpFetcher.Request(HttpMethod.GET, url.toString(), headers, maxTokenBytes))
                .recover(t -> Future.failedFuture(fetchFailure(realm, t)))
                .compose(answer -> {
                    int status = answer.status();
                    if (status == 401 || status == 403) {
                        return Future.failedFuture(new TokenException(
                                Problem.REFUSED,
                                realm,
                                status,
                                "the token server " + shown(realm) + " refused (HTTP " + status + ")",
                                null));
                    }
                    if (status >= 500 || status == 429) {
                        return Future.failedFuture(new TokenException(
                                Problem.UNAVAILABLE,
                                realm,
                                status,
                                "the token server " + shown(realm) + " failed (HTTP " + status + ")",
                                null));
                    }
                    if (status != 200) {
                        return Future.failedFuture(new TokenException(
                                Problem.MISCONFIGURED,
                                realm,
                                status,
                                "the token server " + shown(realm) + " answered HTTP " + status,
                                null));
                    }
                    Instant now = clock.instant();
                    RegistryToken token;
                    try {
                        token = RegistryToken.parse(answer.body().getBytes(), now);
                    } catch (IllegalArgumentException e) {
                        return Future.failedFuture(new TokenException(
                                Problem.MISCONFIGURED,
                                realm,
                                status,
                                "the token server " + shown(realm) + " sent no usable token: " + e.getMessage(),
                                e));
                    }
                    if (tokens.size() >= MAX_ENTRIES) {
                        tokens.values().removeIf(t -> !t.validAt(now));
                        if (tokens.size() >= MAX_ENTRIES) {
                            tokens.clear();
                        }
                    }
                    tokens.put(key, token);
                    return Future.succeededFuture(token);
                });
    }

    private void remember(Route route, TokenKey key) {
        if (routes.size() >= MAX_ENTRIES && !routes.containsKey(route)) {
            routes.clear();
        }
        routes.put(route, key);
    }

    private TokenException fetchFailure(String realm, Throwable t) {
        if (!(t instanceof HttpFetcher.FetchException f)) {
            return new TokenException(
                    Problem.UNAVAILABLE, realm, 0, "the token request to " + shown(realm) + " failed: " + t, t);
        }
        return switch (f.failure) {
            case TOO_LARGE ->
                new TokenException(
                        Problem.TOO_LARGE,
                        realm,
                        0,
                        "the token answer of " + shown(realm) + " is refused: " + f.getMessage(),
                        f);
            case DOWNGRADE ->
                new TokenException(
                        Problem.INSECURE_REALM,
                        realm,
                        0,
                        "the token server " + shown(realm) + " redirects to plain HTTP: " + f.getMessage(),
                        f);
            case CONNECT, TLS, TIMEOUT ->
                new TokenException(
                        Problem.UNAVAILABLE,
                        realm,
                        0,
                        "the token server " + shown(realm) + " gave no answer: " + f.getMessage(),
                        f);
            case UNTRUSTED ->
                new TokenException(
                        Problem.UNAVAILABLE,
                        realm,
                        0,
                        "the token server " + shown(realm)
                                + " is not trusted: " + f.getMessage()
                                + "; if it uses a private CA, give trustgate that CA"
                                + " (TRUSTGATE_CA_BUNDLE, TRUSTGATE_CERTS_DIR/<host[:port]>/ca.crt)",
                        f);
            case TOO_MANY_REDIRECTS, BAD_URL ->
                new TokenException(
                        Problem.MISCONFIGURED,
                        realm,
                        0,
                        "the token request to " + shown(realm) + " failed: " + f.getMessage(),
                        f);
        };
    }

    /** Tells credentials apart without keeping the password: a SHA-256 of user and password. */
    private static String identity(RegistryCredentials credentials) {
        if (credentials.isAnonymous()) {
            return "";
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(credentials.username().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(credentials.password().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String shown(String realm) {
        return realm.length() <= MAX_REALM_IN_MESSAGE ? realm : realm.substring(0, MAX_REALM_IN_MESSAGE) + "...";
    }

    /** One token: who issues it, for which service and scope, to whom. */
    private record TokenKey(String realm, String service, String scope, String identity) {}

    /** Requests to one upstream for one scope with one set of credentials. */
    private record Route(String upstream, String scope, String identity) {}
}
