package io.trustgate.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry token server (the "realm" of docker/distribution's token auth) on 127.0.0.1, issuing ES256 JWTs
 * that the real {@code docker-registry} accepts: the header's {@code kid} is the libtrust fingerprint of the
 * signing key, whose self-signed certificate is the registry's {@code rootcertbundle}.
 *
 * <p>Users listed with {@link #user} get every action they ask for; anonymous callers get {@code pull} only
 * when {@link #anonymousPull} is on, otherwise 401. Each token request is counted ({@link #hits()}). It serves
 * plain HTTP unless {@link #tls} names a CA (then the realm is {@code https://}); {@link #answerPadding} makes
 * every answer larger, to test a client's size limit. The same tokens serve {@code notary-server}'s token auth
 * ({@link NotaryPeer#startWithTokenAuth}).
 *
 * <pre>{@code
 * TokenServer tokens = TokenServer.create("reg-token").user("alice", "s3cret").expiresIn(300).start();
 * RegistryPeer registry = RegistryPeer.builder("reg").tokenAuth(tokens).start();
 * ... tokens.hits() ...
 * }</pre>
 */
public final class TokenServer implements AutoCloseable {

    /** The {@code service} the registry announces and the token's audience. */
    public static final String SERVICE = "trustgate-test-registry";
    /** The issuer the registry expects. */
    public static final String ISSUER = "trustgate-test-issuer";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Map<String, String> users = new ConcurrentHashMap<>();
    private final AtomicInteger hits = new AtomicInteger();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile boolean anonymousPull;
    private volatile Integer expiresIn = 300;
    private volatile String tokenField = "both";
    private volatile int answerPadding;
    private TestCa tlsCa;
    private TestCa.Issued signer;
    private HttpServer server;

    private TokenServer(String name) {
        this.name = name;
    }

    public static TokenServer create(String name) {
        return new TokenServer(name);
    }

    /** A user who may get tokens for any action. */
    public TokenServer user(String username, String password) {
        users.put(username, password);
        return this;
    }

    /** Whether callers without credentials get pull tokens (default: no). */
    public TokenServer anonymousPull(boolean allowed) {
        this.anonymousPull = allowed;
        return this;
    }

    /** {@code expires_in} of issued tokens in seconds; {@code null} leaves the field out (default 300). */
    public TokenServer expiresIn(Integer seconds) {
        this.expiresIn = seconds;
        return this;
    }

    /** Which response field carries the token: {@code "token"}, {@code "access_token"} or {@code "both"}. */
    public TokenServer tokenField(String field) {
        this.tokenField = field;
        return this;
    }

    /** Serve HTTPS with a certificate {@code ca} issues (call before {@link #start()}). */
    public TokenServer tls(TestCa ca) {
        this.tlsCa = ca;
        return this;
    }

    /** Adds a {@code padding} field of this many bytes to every granted answer (0, the default, adds none). */
    public TokenServer answerPadding(int bytes) {
        this.answerPadding = bytes;
        return this;
    }

    public TokenServer start() {
        signer = TestCa.selfSigned(PeerProcess.peerDir(name), "token-signer-" + Long.toHexString(System.nanoTime()));
        try {
            InetSocketAddress address = new InetSocketAddress(PeerProcess.LOOPBACK_V4, 0);
            if (tlsCa == null) {
                server = HttpServer.create(address, 0);
            } else {
                HttpsServer https = HttpsServer.create(address, 0);
                https.setHttpsConfigurator(new HttpsConfigurator(
                        tlsCa.serverContext(tlsCa.issueServer("token-server-" + Long.toHexString(System.nanoTime())))));
                server = https;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/token", this::handle);
        server.start();
        return this;
    }

    /** The realm URL, e.g. {@code http://127.0.0.1:40123/token} ({@code https://} with {@link #tls}). */
    public String realm() {
        return (tlsCa == null ? "http" : "https") + "://127.0.0.1:"
                + server.getAddress().getPort() + "/token";
    }

    /** PEM file of the certificate whose key signs the tokens (the registry's {@code rootcertbundle}). */
    public Path rootCertBundle() {
        return signer.certPem();
    }

    /** Token requests served so far (granted or not). */
    public int hits() {
        return hits.get();
    }

    /** Every token request: who asked (null when anonymous) and for which scopes. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** One token request. */
    public record Request(String user, String service, List<String> scopes, int status) {}

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        hits.incrementAndGet();
        try (exchange) {
            Map<String, List<String>> query = query(exchange.getRequestURI().getRawQuery());
            List<String> scopes = query.getOrDefault("scope", List.of());
            String service = query.getOrDefault("service", List.of("")).get(0);
            String user = null;
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
                String[] pair = new String(
                                Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8)
                        .split(":", 2);
                if (pair.length != 2 || !pair[1].equals(users.get(pair[0]))) {
                    requests.add(new Request(pair[0], service, scopes, 401)); // before the answer: callers then see it
                    reply(
                            exchange,
                            401,
                            Map.of("errors", List.of(Map.of("code", "UNAUTHORIZED", "message", "bad credentials"))));
                    return;
                }
                user = pair[0];
            } else if (!anonymousPull) {
                requests.add(new Request(null, service, scopes, 401));
                reply(
                        exchange,
                        401,
                        Map.of("errors", List.of(Map.of("code", "UNAUTHORIZED", "message", "credentials required"))));
                return;
            }
            List<Map<String, Object>> access = new ArrayList<>();
            for (String scope : scopes) {
                for (String one : scope.split(" ", -1)) {
                    int first = one.indexOf(':');
                    int last = one.lastIndexOf(':');
                    if (first < 0 || last == first) {
                        continue;
                    }
                    List<String> actions = new ArrayList<>(
                            Arrays.asList(one.substring(last + 1).split(",")));
                    if (user == null) {
                        actions.retainAll(List.of("pull"));
                    }
                    access.add(Map.of(
                            "type",
                            one.substring(0, first),
                            "name",
                            one.substring(first + 1, last),
                            "actions",
                            actions));
                }
            }
            int ttl = expiresIn == null ? 60 : expiresIn;
            String jwt = jwt(user == null ? "" : user, access, ttl);
            Map<String, Object> body = new LinkedHashMap<>();
            if (!tokenField.equals("access_token")) {
                body.put("token", jwt);
            }
            if (!tokenField.equals("token")) {
                body.put("access_token", jwt);
            }
            if (expiresIn != null) {
                body.put("expires_in", expiresIn);
            }
            body.put("issued_at", Instant.now().toString());
            if (answerPadding > 0) {
                body.put("padding", "x".repeat(answerPadding));
            }
            requests.add(new Request(user, service, scopes, 200));
            reply(exchange, 200, body);
        } catch (RuntimeException e) {
            exchange.sendResponseHeaders(500, -1);
        }
    }

    private String jwt(String subject, List<Map<String, Object>> access, int ttl) throws IOException {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "JWT");
        header.put("alg", "ES256");
        header.put("kid", libtrustKeyId(signer.certificate().getPublicKey().getEncoded()));
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", subject);
        claims.put("aud", SERVICE);
        claims.put("exp", now + ttl);
        claims.put("nbf", now - 10);
        claims.put("iat", now);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("access", access);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + b64.encodeToString(JSON.writeValueAsBytes(claims));
        try {
            // JWS ES256 wants the raw r||s form, not DER.
            Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
            signature.initSign(signer.keyPair().getPrivate());
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** libtrust key id: sha256 of the DER public key, first 240 bits, base32, 12 groups of 4 joined by ':'. */
    static String libtrustKeyId(byte[] derPublicKey) {
        try {
            byte[] hash = Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(derPublicKey), 30);
            String b32 = base32(hash);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < b32.length(); i += 4) {
                if (i > 0) {
                    sb.append(':');
                }
                sb.append(b32, i, Math.min(b32.length(), i + 4));
            }
            return sb.toString();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base32(byte[] data) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder sb = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                sb.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(alphabet.charAt((buffer << (5 - bits)) & 31));
        }
        return sb.toString();
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&", -1)) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
