package io.trustgate.transport;

import io.trustgate.notary.TrustDataFetcher;
import io.trustgate.notary.TrustDataNotFoundException;
import io.trustgate.policy.NotaryConfig;
import io.trustgate.registry.AuthChallenge;
import io.trustgate.registry.RegistryCredentials;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@link TrustDataFetcher} for one Notary server over Vert.x: {@code GET <server>/v2/<gun>/_trust/tuf/<role>.json}
 * through the bounded {@link HttpFetcher} (timeouts from {@link TransportOptions}, the body limit the TUF
 * client passes, redirects never to plain HTTP). TLS trusts the policy's {@code caBundle} alone when it is
 * given, else {@link TransportOptions#trust()} (the JVM's trust store plus the configured CAs for that host).
 *
 * <p>Where the server asks for it (Docker Hub's Notary does), the registry token flow is followed
 * ({@link BearerTokens}, shared with the registry client): on a 401 with a {@code Bearer} challenge an anonymous
 * pull token is fetched from the realm for the challenge's scope, cached until its {@code expires_in} passes on
 * the injected clock, and the request retried once. The token request goes through this server's TLS settings.
 *
 * <pre>{@code
 * Function<NotaryConfig, TrustDataFetcher> fetchers = VertxTrustDataFetcher.factory(vertx, settings.transport(), Clock.systemUTC());
 * TrustDataFetcher notary = fetchers.apply(new NotaryConfig("https://notary.example.com", caPem, rootKeys));
 * byte[] root = notary.fetch("registry.example.com/prod/app", "root", Limits.DEFAULT.maxMetadataBytes()).join();
 * }</pre>
 */
public final class VertxTrustDataFetcher implements TrustDataFetcher, AutoCloseable {

    /** GUNs and role files as the TUF core produces them; anything else never reaches a URL. */
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9._:-]+(/[A-Za-z0-9._:-]+)*");

    private final String server;
    private final TransportOptions options;
    private final HttpFetcher http;
    private final BearerTokens tokens;

    /**
     * @param server   base URL of the Notary server, {@code https://...} (or {@code http://} for tests)
     * @param caBundle PEM CA certificates that alone are trusted for this server, or {@code null}
     * @throws IllegalArgumentException when the server URL is not http(s) or the CA bundle holds no certificate
     */
    public VertxTrustDataFetcher(Vertx vertx, TransportOptions options, Clock clock, String server, String caBundle) {
        Objects.requireNonNull(vertx, "vertx");
        this.options = Objects.requireNonNull(options, "options");
        this.server = checkServer(server);
        this.http = new HttpFetcher(
                vertx,
                options,
                caBundle == null || caBundle.isBlank() ? options.trust() : UpstreamTrust.exclusive(caBundle));
        this.tokens = new BearerTokens(http, options.maxTokenBytes(), Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Makes one fetcher per {@link NotaryConfig} (its {@code server} and {@code caBundle}), the shape
     * {@code NotarySignatureSource} asks for. The fetchers are closed with the Vert.x instance's clients
     * or by {@code NotarySignatureSource.close()}.
     */
    public static Function<NotaryConfig, TrustDataFetcher> factory(Vertx vertx, TransportOptions options, Clock clock) {
        return config -> new VertxTrustDataFetcher(vertx, options, clock, config.server(), config.caBundle());
    }

    /** The server's base URL, without a trailing slash. */
    public String server() {
        return server;
    }

    @Override
    public CompletableFuture<byte[]> fetch(String gun, String roleFile, long maxBytes) {
        if (gun == null
                || roleFile == null
                || !SAFE_PATH.matcher(gun).matches()
                || !SAFE_PATH.matcher(roleFile).matches()
                || (gun + "/" + roleFile).contains("..")) {
            return CompletableFuture.failedFuture(new NotaryFetchException(
                    "refused to fetch trust data for GUN \"" + gun + "\" role \"" + roleFile
                            + "\": not a repository or role name",
                    server,
                    0,
                    null));
        }
        String url = server + "/v2/" + gun + "/_trust/tuf/" + roleFile + ".json";
        BearerTokens.Need need =
                new BearerTokens.Need(server, "repository:" + gun + ":pull", RegistryCredentials.ANONYMOUS);
        return tokens.send(need, token -> send(url, token, maxBytes))
                .recover(t -> Future.failedFuture(toFetchException(url, t)))
                .compose(response -> answer(url, gun, roleFile, response))
                .toCompletionStage()
                .toCompletableFuture();
    }

    private Future<HttpFetcher.Response> send(String url, String token, long maxBytes) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .set(HttpHeaders.USER_AGENT, "trustgate")
                .set(HttpHeaders.ACCEPT, "application/json, text/plain");
        if (token != null) {
            headers.set(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        }
        return http.fetch(new HttpFetcher.Request(HttpMethod.GET, url, headers, maxBytes));
    }

    private Future<byte[]> answer(String url, String gun, String roleFile, HttpFetcher.Response response) {
        int status = response.status();
        if (status == 200) {
            return Future.succeededFuture(response.body().getBytes());
        }
        if (status == 404) {
            return Future.failedFuture(new TrustDataNotFoundException(gun, roleFile));
        }
        if (status == 401) {
            String header = response.header("WWW-Authenticate");
            AuthChallenge challenge = AuthChallenge.parse(header).orElse(null);
            String why = challenge != null && challenge.isBearer()
                    ? " refused an anonymous pull token for " + gun + " (HTTP 401); the trust data of a private"
                            + " repository cannot be read"
                    : " requires authentication trustgate does not speak (\"" + abbreviate(String.valueOf(header))
                            + "\"); trustgate reads trust data anonymously or with Bearer pull tokens";
            return Future.failedFuture(new NotaryFetchException("the Notary server " + server + why, url, 401, null));
        }
        String hint = status >= 500 || status == 429 || status == 408
                ? "the Notary server failed to answer; retry later"
                : status == 403
                        ? "the trust data of " + gun + " is not readable anonymously"
                        : "the server does not answer as a Notary server";
        return Future.failedFuture(new NotaryFetchException(
                "the Notary server answered HTTP " + status + " for " + url + ": " + hint, url, status, null));
    }

    private NotaryFetchException toFetchException(String url, Throwable t) {
        if (t instanceof NotaryFetchException n) {
            return n;
        }
        if (t instanceof TokenException e) {
            String hint = switch (e.problem) {
                case REFUSED -> "the trust data of a private repository cannot be read";
                case UNAVAILABLE -> "retry later";
                case INSECURE_REALM -> "trustgate never fetches tokens over plain HTTP for an HTTPS Notary server";
                case TOO_LARGE -> "a token answer is at most " + options.maxTokenBytes() + " bytes";
                case MISCONFIGURED -> "the Notary server's token auth is misconfigured";
            };
            return new NotaryFetchException(
                    "the Notary server " + server + " asked for a token: " + e.getMessage() + "; " + hint,
                    url,
                    e.status,
                    e);
        }
        if (t instanceof HttpFetcher.FetchException f) {
            String message = switch (f.failure) {
                case TOO_LARGE ->
                    "trust data at " + f.url + " refused: " + f.getMessage()
                            + " (a Notary metadata file this large is an endless-data attack or a misconfigured server)";
                case UNTRUSTED ->
                    "TLS connection to the Notary server " + f.url + " failed: " + f.getMessage()
                            + "; if it uses a private CA, set notary.caBundle in the policy, or give trustgate the CA"
                            + " (TRUSTGATE_CA_BUNDLE, TRUSTGATE_CERTS_DIR/<host[:port]>/ca.crt)";
                case TLS ->
                    "TLS connection to the Notary server " + f.url + " failed (" + f.getMessage()
                            + "); if it uses a private CA, set notary.caBundle in the policy";
                case TIMEOUT ->
                    "no answer from the Notary server within "
                            + options.requestTimeout().toMillis() + " ms for " + f.url
                            + "; the server or the network is slow or down";
                case CONNECT ->
                    "cannot reach the Notary server for " + f.url + " (" + f.getMessage()
                            + "); check notary.server and that trustgate can reach it";
                case DOWNGRADE, TOO_MANY_REDIRECTS, BAD_URL -> "fetching " + f.url + " failed: " + f.getMessage();
            };
            return new NotaryFetchException(message, f.url, 0, f);
        }
        return new NotaryFetchException("fetching " + url + " failed: " + t, url, 0, t);
    }

    private static String checkServer(String server) {
        if (server == null || server.isBlank()) {
            throw new IllegalArgumentException("no Notary server URL");
        }
        String s = server.strip();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        URI uri;
        try {
            uri = URI.create(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed Notary server URL \"" + abbreviate(server) + "\"", e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http"))
                || uri.getHost() == null
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(
                    "the Notary server URL must be https://host[:port][/path], not \"" + abbreviate(server) + "\"");
        }
        return s;
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    @Override
    public void close() {
        http.close();
    }
}
