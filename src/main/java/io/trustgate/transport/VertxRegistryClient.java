package io.trustgate.transport;

import io.trustgate.image.ImageReference;
import io.trustgate.registry.AuthChallenge;
import io.trustgate.registry.ManifestDescriptor;
import io.trustgate.registry.ManifestNotFoundException;
import io.trustgate.registry.MediaTypes;
import io.trustgate.registry.Referrers;
import io.trustgate.registry.ReferrersIndex;
import io.trustgate.registry.RegistryAuthException;
import io.trustgate.registry.RegistryClient;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.registry.RegistryException;
import io.trustgate.registry.RegistryProtocolException;
import io.trustgate.registry.RegistryUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@link RegistryClient} over Vert.x: HTTPS trusting {@link TransportOptions#trust()} for each host, plain HTTP
 * only for the hosts listed in {@link TransportOptions#insecureHosts()}.
 *
 * <p>Authentication follows the registry's challenge: on a 401 with {@code WWW-Authenticate: Bearer realm=...}
 * a token is fetched from the realm (with basic credentials when given, anonymously otherwise) and the request
 * is retried once ({@link BearerTokens}: realm checks, a token cache keyed by realm, service, scope and credentials,
 * single flight); on a {@code Basic} challenge the credentials are sent as basic auth. Including the credentials
 * in the key keeps one pod's token from serving another pod that has different pull secrets.
 *
 * <pre>{@code
 * RegistryClient registry = new VertxRegistryClient(vertx, settings.transport(), Clock.systemUTC());
 * ManifestDescriptor d = registry.resolve(ImageReference.parse("127.0.0.1:5000/demo/app:1.0"), RegistryCredentials.ANONYMOUS).join();
 * }</pre>
 */
public final class VertxRegistryClient implements RegistryClient, AutoCloseable {

    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}");
    private static final String DOCKER_HUB_API = "registry-1.docker.io";

    private final TransportOptions options;
    private final HttpFetcher http;
    private final BearerTokens tokens;
    private final Set<String> basicHosts = ConcurrentHashMap.newKeySet();

    public VertxRegistryClient(Vertx vertx, TransportOptions options, Clock clock) {
        this.options = Objects.requireNonNull(options, "options");
        this.http = new HttpFetcher(Objects.requireNonNull(vertx, "vertx"), options);
        this.tokens = new BearerTokens(http, options.maxTokenBytes(), Objects.requireNonNull(clock, "clock"));
    }

    @Override
    public CompletableFuture<ManifestDescriptor> resolve(ImageReference ref, RegistryCredentials credentials) {
        Call call = new Call(ref, credentials == null ? RegistryCredentials.ANONYMOUS : credentials);
        String url = call.baseUrl + "/v2/" + ref.path() + "/manifests/" + (ref.hasDigest() ? ref.digest() : ref.tag());
        return authorized(call, HttpMethod.HEAD, url, 0)
                .compose(head ->
                        head.status() == 200 ? fromHead(call, url, head) : Future.failedFuture(fail(call, head)))
                .recover(t -> Future.failedFuture(toRegistryException(call, t)))
                .toCompletionStage()
                .toCompletableFuture();
    }

    @Override
    public CompletableFuture<Optional<byte[]>> fetchManifest(
            ImageReference ref, long maxBytes, RegistryCredentials credentials) {
        Call call = new Call(ref, credentials == null ? RegistryCredentials.ANONYMOUS : credentials);
        String url = call.baseUrl + "/v2/" + ref.path() + "/manifests/" + (ref.hasDigest() ? ref.digest() : ref.tag());
        return authorized(call, HttpMethod.GET, url, maxBytes)
                .compose(get -> {
                    if (get.status() == 404) {
                        return Future.succeededFuture(Optional.<byte[]>empty());
                    }
                    if (get.status() != 200) {
                        return Future.failedFuture(fail(call, get));
                    }
                    byte[] body = get.body().getBytes();
                    if (ref.hasDigest()) {
                        return matching(call, ref.digest(), body, get.status()).map(Optional::of);
                    }
                    return Future.succeededFuture(Optional.of(body));
                })
                .recover(t -> Future.failedFuture(toRegistryException(call, t)))
                .toCompletionStage()
                .toCompletableFuture();
    }

    @Override
    public CompletableFuture<byte[]> fetchBlob(
            ImageReference repository, String digest, long maxBytes, RegistryCredentials credentials) {
        Call call = new Call(
                repository.withDigest(digest), credentials == null ? RegistryCredentials.ANONYMOUS : credentials);
        String url = call.baseUrl + "/v2/" + repository.path() + "/blobs/" + digest;
        return authorized(call, HttpMethod.GET, url, maxBytes)
                .compose(get -> get.status() == 200
                        ? matching(call, digest, get.body().getBytes(), get.status())
                        : Future.failedFuture(fail(call, get)))
                .recover(t -> Future.failedFuture(toRegistryException(call, t)))
                .toCompletionStage()
                .toCompletableFuture();
    }

    @Override
    public CompletableFuture<Referrers> referrers(
            ImageReference repository, String digest, String artifactType, RegistryCredentials credentials) {
        if (digest == null || !DIGEST.matcher(digest).matches()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a manifest digest: " + digest));
        }
        Call call = new Call(
                repository.withDigest(digest), credentials == null ? RegistryCredentials.ANONYMOUS : credentials);
        String url = call.baseUrl + "/v2/" + repository.path() + "/referrers/" + digest
                + (artifactType == null
                        ? ""
                        : "?artifactType=" + URLEncoder.encode(artifactType, StandardCharsets.UTF_8));
        return referrersPage(call, url, artifactType, new ReferrersIndex.Listing(), 1)
                .recover(t -> Future.failedFuture(referrersFailure(call, t)))
                .toCompletionStage()
                .toCompletableFuture();
    }

    /** One page of the referrers API; a 404 to the first page means the registry has no such API. */
    private Future<Referrers> referrersPage(
            Call call, String url, String artifactType, ReferrersIndex.Listing found, int page) {
        return authorized(call, HttpMethod.GET, url, Referrers.MAX_INDEX_BYTES).compose(get -> {
            if (get.status() == 404 && page == 1) {
                // Spec 1.1: a registry with the API never answers 404 to it; clients then read the referrers tag.
                return referrersTag(call, artifactType);
            }
            if (get.status() != 200) {
                return Future.failedFuture(fail(call, get));
            }
            try {
                ReferrersIndex.read(get.body().getBytes(), artifactType, found);
            } catch (ReferrersIndex.InvalidIndexException e) {
                return Future.failedFuture(invalidIndex(call, url, e, get.status()));
            }
            if (found.full()) {
                return Future.succeededFuture(found.result(Referrers.Discovery.API, true));
            }
            String next = nextLink(get.header("Link"));
            if (next == null) {
                return Future.succeededFuture(found.result(Referrers.Discovery.API, false));
            }
            if (page >= Referrers.MAX_PAGES) {
                return Future.succeededFuture(found.result(Referrers.Discovery.API, true));
            }
            String nextUrl;
            try {
                URI resolved = new URI(get.url()).resolve(new URI(next));
                URI base = new URI(call.baseUrl);
                if (!base.getScheme().equalsIgnoreCase(String.valueOf(resolved.getScheme()))
                        || !base.getRawAuthority().equalsIgnoreCase(String.valueOf(resolved.getRawAuthority()))) {
                    return Future.failedFuture(new RegistryProtocolException(
                            "the next page of referrers is on another origin (" + abbreviate(resolved.toString()) + ")",
                            call.host,
                            call.ref.path(),
                            call.ref.toString(),
                            get.status(),
                            "trustgate follows referrers pages on the registry itself only"));
                }
                nextUrl = resolved.toString();
            } catch (URISyntaxException | IllegalArgumentException e) {
                return Future.failedFuture(new RegistryProtocolException(
                        "malformed Link header \"" + abbreviate(String.valueOf(get.header("Link"))) + "\"",
                        call.host,
                        call.ref.path(),
                        call.ref.toString(),
                        get.status(),
                        "the registry does not follow the distribution spec"));
            }
            return referrersPage(call, nextUrl, artifactType, found, page + 1);
        });
    }

    /** The referrers tag schema: the tag {@code <alg>-<hex>} holds an OCI index; no tag, no referrers. */
    private Future<Referrers> referrersTag(Call call, String artifactType) {
        String url =
                call.baseUrl + "/v2/" + call.ref.path() + "/manifests/" + Referrers.tagSchemaTag(call.ref.digest());
        return authorized(call, HttpMethod.GET, url, Referrers.MAX_INDEX_BYTES).compose(get -> {
            if (get.status() == 404) {
                return Future.succeededFuture(new Referrers(List.of(), Referrers.Discovery.TAG_SCHEMA, false));
            }
            if (get.status() != 200) {
                return Future.failedFuture(fail(call, get));
            }
            try {
                ReferrersIndex.Listing listing = new ReferrersIndex.Listing();
                ReferrersIndex.read(get.body().getBytes(), artifactType, listing);
                return Future.succeededFuture(listing.result(Referrers.Discovery.TAG_SCHEMA, false));
            } catch (ReferrersIndex.InvalidIndexException e) {
                return Future.failedFuture(invalidIndex(call, url, e, get.status()));
            }
        });
    }

    private RegistryProtocolException invalidIndex(
            Call call, String url, ReferrersIndex.InvalidIndexException e, int status) {
        return new RegistryProtocolException(
                e.getMessage() + " at " + url,
                call.host,
                call.ref.path(),
                call.ref.toString(),
                status,
                "the registry serves a referrers list trustgate cannot read");
    }

    private RegistryException referrersFailure(Call call, Throwable t) {
        if (t instanceof HttpFetcher.FetchException f && f.failure == HttpFetcher.Failure.TOO_LARGE) {
            return new RegistryProtocolException(
                    f.getMessage() + " at " + f.url,
                    call.host,
                    call.ref.path(),
                    call.ref.toString(),
                    0,
                    "a referrers list this large is refused; the limit is " + Referrers.MAX_INDEX_BYTES + " bytes",
                    f);
        }
        return toRegistryException(call, t);
    }

    /**
     * The target of {@code rel="next"} in a {@code Link} header ({@code <url>; rel="next"}), or {@code null}.
     * Plain string scanning: the header comes from the network and is only bounded by the HTTP header limit.
     */
    static String nextLink(String header) {
        if (header == null) {
            return null;
        }
        for (String link : header.split(",", -1)) {
            String part = link.strip();
            int close = part.indexOf('>');
            if (!part.startsWith("<") || close < 0) {
                continue;
            }
            for (String param : part.substring(close + 1).split(";", -1)) {
                String p = param.strip().toLowerCase(Locale.ROOT).replace(" ", "");
                if (p.equals("rel=\"next\"") || p.equals("rel=next")) {
                    return part.substring(1, close);
                }
            }
        }
        return null;
    }

    /** The body when it hashes to {@code digest}; anything else is served data that was not asked for. */
    private Future<byte[]> matching(Call call, String digest, byte[] body, int status) {
        String algorithm = digest.startsWith("sha512:") ? "sha512" : "sha256";
        String computed = algorithm + ":" + hash(algorithm, body);
        if (!computed.equals(digest)) {
            return Future.failedFuture(new RegistryProtocolException(
                    "asked for " + digest + " but the body hashes to " + computed,
                    call.host,
                    call.ref.path(),
                    call.ref.toString(),
                    status,
                    "the registry or a proxy in between serves altered data"));
        }
        return Future.succeededFuture(body);
    }

    /** Drops every cached token (e.g. when credentials were rotated). */
    public void clearTokens() {
        tokens.clear();
    }

    @Override
    public void close() {
        http.close();
    }

    private Future<ManifestDescriptor> fromHead(Call call, String url, HttpFetcher.Response head) {
        String digest = head.header("Docker-Content-Digest");
        if (digest == null || digest.isBlank()) {
            // Some registries omit the header on HEAD: fetch the manifest (bounded) and hash it.
            return authorized(call, HttpMethod.GET, url, options.maxManifestBytes())
                    .compose(get -> {
                        if (get.status() != 200) {
                            return Future.failedFuture(fail(call, get));
                        }
                        String algorithm =
                                call.ref.hasDigest() && call.ref.digest().startsWith("sha512:") ? "sha512" : "sha256";
                        String computed =
                                algorithm + ":" + hash(algorithm, get.body().getBytes());
                        String sent = get.header("Docker-Content-Digest");
                        if (sent != null && !sent.isBlank() && !sent.strip().equals(computed)) {
                            return Future.failedFuture(new RegistryProtocolException(
                                    "manifest body hashes to " + computed + " but the registry says " + sent.strip(),
                                    call.host,
                                    call.ref.path(),
                                    call.ref.toString(),
                                    get.status(),
                                    "the registry or a proxy in between serves inconsistent data"));
                        }
                        return checked(
                                call,
                                computed,
                                get.header("Content-Type"),
                                get.body().length(),
                                get.status());
                    });
        }
        digest = digest.strip();
        if (!DIGEST.matcher(digest).matches()) {
            return Future.failedFuture(new RegistryProtocolException(
                    "malformed Docker-Content-Digest header \"" + abbreviate(digest) + "\"",
                    call.host,
                    call.ref.path(),
                    call.ref.toString(),
                    head.status(),
                    "the registry does not follow the v2 API"));
        }
        return checked(
                call, digest, head.header("Content-Type"), contentLength(head.header("Content-Length")), head.status());
    }

    private Future<ManifestDescriptor> checked(Call call, String digest, String contentType, long size, int status) {
        if (call.ref.hasDigest() && !call.ref.digest().equals(digest)) {
            return Future.failedFuture(new RegistryProtocolException(
                    "asked for " + call.ref.digest() + " but got a manifest with digest " + digest,
                    call.host,
                    call.ref.path(),
                    call.ref.toString(),
                    status,
                    "the registry or a proxy in between serves the wrong manifest"));
        }
        return Future.succeededFuture(new ManifestDescriptor(digest, mediaType(contentType), size));
    }

    /** Sends a request with the best credentials known, answering one auth challenge. */
    private Future<HttpFetcher.Response> authorized(Call call, HttpMethod method, String url, long maxBody) {
        BearerTokens.Need need =
                new BearerTokens.Need(call.baseUrl, "repository:" + call.ref.path() + ":pull", call.credentials);
        boolean[] sentBasic = new boolean[1];
        return tokens.send(need, token -> {
                    MultiMap headers = headers();
                    if (token != null) {
                        headers.set(HttpHeaders.AUTHORIZATION, "Bearer " + token);
                    } else if (!call.credentials.isAnonymous() && basicHosts.contains(call.host)) {
                        headers.set(HttpHeaders.AUTHORIZATION, call.credentials.basicAuthorization());
                        sentBasic[0] = true;
                    }
                    return http.fetch(new HttpFetcher.Request(method, url, headers, maxBody));
                })
                .compose(answer -> {
                    if (answer.status() != 401) {
                        return Future.succeededFuture(answer);
                    }
                    AuthChallenge challenge = AuthChallenge.parse(answer.header("WWW-Authenticate"))
                            .orElse(null);
                    if (challenge != null && challenge.isBearer()) {
                        return Future.failedFuture(authFailure(call, 401, null)); // the token we got was refused
                    }
                    if (challenge != null && challenge.isBasic()) {
                        if (call.credentials.isAnonymous() || sentBasic[0]) {
                            return Future.failedFuture(authFailure(call, 401, null));
                        }
                        basicHosts.add(call.host);
                        MultiMap retry = headers();
                        retry.set(HttpHeaders.AUTHORIZATION, call.credentials.basicAuthorization());
                        return http.fetch(new HttpFetcher.Request(method, url, retry, maxBody))
                                .compose(second -> second.status() == 401 || second.status() == 403
                                        ? Future.failedFuture(authFailure(call, second.status(), null))
                                        : Future.succeededFuture(second));
                    }
                    return Future.failedFuture(new RegistryAuthException(
                            "unsupported, malformed or missing authentication challenge \""
                                    + abbreviate(String.valueOf(answer.header("WWW-Authenticate"))) + "\"",
                            call.host,
                            call.ref.path(),
                            call.ref.toString(),
                            401,
                            "trustgate speaks Bearer token and Basic auth only"));
                });
    }

    /** Why the token flow gave no token, as the registry failure a denial shows. */
    private RegistryException tokenFailure(Call call, TokenException e) {
        String ref = call.ref.toString();
        return switch (e.problem) {
            case REFUSED -> authFailure(call, e.status, BearerTokens.shown(e.realm));
            case UNAVAILABLE ->
                new RegistryUnavailableException(
                        e.getMessage(),
                        call.host,
                        call.ref.path(),
                        ref,
                        e.status,
                        "the registry's token server is down or unreachable; retry later",
                        e);
            case INSECURE_REALM ->
                new RegistryProtocolException(
                        e.getMessage(),
                        call.host,
                        call.ref.path(),
                        ref,
                        401,
                        "credentials are never sent over plain HTTP to an HTTPS registry's realm",
                        e);
            case TOO_LARGE ->
                new RegistryProtocolException(
                        e.getMessage(),
                        call.host,
                        call.ref.path(),
                        ref,
                        0,
                        "a token answer is at most " + options.maxTokenBytes()
                                + " bytes; check the registry's token auth",
                        e);
            case MISCONFIGURED ->
                new RegistryProtocolException(
                        e.getMessage(),
                        call.host,
                        call.ref.path(),
                        ref,
                        e.status,
                        "the registry's token auth is misconfigured",
                        e);
        };
    }

    private RegistryAuthException authFailure(Call call, int status, String realm) {
        String where = realm == null ? "the registry" : "the token server " + realm;
        if (call.credentials.isAnonymous()) {
            return new RegistryAuthException(
                    where + " requires credentials",
                    call.host,
                    call.ref.path(),
                    call.ref.toString(),
                    status,
                    "give the pod (or its service account) an imagePullSecret for " + call.host
                            + ", or name a pull secret in the policy");
        }
        return new RegistryAuthException(
                where + " refused the credentials of user " + call.credentials.username(),
                call.host,
                call.ref.path(),
                call.ref.toString(),
                status,
                "check that the pull secret for " + call.host + " is current and may pull " + call.ref.path());
    }

    private RegistryException fail(Call call, HttpFetcher.Response response) {
        int status = response.status();
        String ref = call.ref.toString();
        if (status == 404) {
            return new ManifestNotFoundException(
                    "manifest unknown",
                    call.host,
                    call.ref.path(),
                    ref,
                    status,
                    "check that "
                            + (call.ref.hasDigest() ? "the digest " + call.ref.digest() : "the tag " + call.ref.tag())
                            + " exists in " + call.ref.repository());
        }
        if (status == 401 || status == 403) {
            return authFailure(call, status, null);
        }
        if (status >= 500 || status == 429 || status == 408) {
            return new RegistryUnavailableException(
                    "the registry failed to answer",
                    call.host,
                    call.ref.path(),
                    ref,
                    status,
                    "the registry is overloaded or broken; retry later");
        }
        return new RegistryProtocolException(
                "unexpected answer",
                call.host,
                call.ref.path(),
                ref,
                status,
                "the registry does not answer as the v2 API says");
    }

    private RegistryException toRegistryException(Call call, Throwable t) {
        if (t instanceof RegistryException r) {
            return r;
        }
        if (t instanceof TokenException e) {
            return tokenFailure(call, e);
        }
        String ref = call.ref.toString();
        if (t instanceof HttpFetcher.FetchException f) {
            return switch (f.failure) {
                case UNTRUSTED ->
                    new RegistryUnavailableException(
                            f.getMessage(),
                            call.host,
                            call.ref.path(),
                            ref,
                            0,
                            "if " + call.host + " uses a private CA, give trustgate that CA: TRUSTGATE_CA_BUNDLE, or "
                                    + "TRUSTGATE_CERTS_DIR/<host[:port]>/ca.crt (docs/configuration.md)",
                            f);
                case TLS ->
                    new RegistryUnavailableException(
                            "TLS connection to " + f.url + " failed (" + f.getMessage() + ")",
                            call.host,
                            call.ref.path(),
                            ref,
                            0,
                            "if " + call.host + " serves plain HTTP, list it in"
                                    + " TRUSTGATE_INSECURE_REGISTRIES; if it uses a private CA, give trustgate that CA",
                            f);
                case TIMEOUT ->
                    new RegistryUnavailableException(
                            "no answer within " + options.requestTimeout().toMillis() + " ms from " + f.url,
                            call.host,
                            call.ref.path(),
                            ref,
                            0,
                            "the registry or the network is slow or down; retry later",
                            f);
                case CONNECT ->
                    new RegistryUnavailableException(
                            "cannot reach " + f.url + " (" + f.getMessage() + ")",
                            call.host,
                            call.ref.path(),
                            ref,
                            0,
                            "check that the registry is up and reachable from trustgate",
                            f);
                case TOO_LARGE ->
                    new RegistryProtocolException(
                            f.getMessage() + " at " + f.url,
                            call.host,
                            call.ref.path(),
                            ref,
                            0,
                            "a manifest this large is refused; the limit is " + options.maxManifestBytes() + " bytes",
                            f);
                case DOWNGRADE, TOO_MANY_REDIRECTS, BAD_URL ->
                    new RegistryProtocolException(
                            f.getMessage(), call.host, call.ref.path(), ref, 0, "check the registry's redirects", f);
            };
        }
        return new RegistryUnavailableException(
                "unexpected failure: " + t, call.host, call.ref.path(), ref, 0, "retry later", t);
    }

    private static MultiMap headers() {
        return MultiMap.caseInsensitiveMultiMap()
                .set(HttpHeaders.ACCEPT, MediaTypes.ACCEPT_HEADER)
                .set(HttpHeaders.USER_AGENT, "trustgate");
    }

    private static String mediaType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .strip()
                .toLowerCase(Locale.ROOT);
    }

    private static long contentLength(String value) {
        try {
            return value == null ? -1 : Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String hash(String algorithm, byte[] data) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance(algorithm.equals("sha512") ? "SHA-512" : "SHA-256")
                            .digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    /** One resolve: the reference, its credentials and where the registry's API lives. */
    private final class Call {
        final ImageReference ref;
        final RegistryCredentials credentials;
        final String host;
        final String baseUrl;

        Call(ImageReference ref, RegistryCredentials credentials) {
            this.ref = Objects.requireNonNull(ref, "ref");
            this.credentials = credentials;
            this.host = ref.host();
            String apiHost = host.equals(ImageReference.DOCKER_HUB) ? DOCKER_HUB_API : host;
            this.baseUrl = (options.isInsecure(host) ? "http://" : "https://") + apiHost;
        }
    }
}
