package io.trustgate.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.admission.AdmissionHandler;
import io.trustgate.admission.MalformedReviewException;
import io.trustgate.admission.ReviewParser;
import io.trustgate.transport.ServerAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * The warm-up's loopback upstream: one Vert.x server over TLS and one over plain HTTP, both bound to
 * {@code 127.0.0.1} on ephemeral ports, serving the embedded warm-up data as a registry (HEAD/GET of the manifest),
 * a lookaside store ({@code signature-1}, then 404) and a Notary server (the role files, then 404), and answering
 * {@code POST /validate} and {@code /mutate} as the webhook does (body limit, {@link ReviewParser}, the round's
 * {@link AdmissionHandler}). Its TLS certificate and CA are made at start with a fresh P-256 key that lives only in
 * memory. {@link #addresses()} sends every host to it (port 80 to the plain server, any other to the TLS one), so
 * clients built with it reach nothing else.
 */
final class WarmupUpstream implements AutoCloseable {

    /** Host names the certificate is for; {@code .invalid} never resolves (RFC 2606). */
    static final List<String> HOSTS =
            List.of(Warmup.REGISTRY, "lookaside." + Warmup.REGISTRY, "notary." + Warmup.REGISTRY);

    /** Longest wait for the servers to listen or to close. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(5);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpServer tls;
    private final HttpServer plain;
    private final String caPem;
    private final Map<String, byte[]> files;
    private final String digest;
    private final AtomicReference<AdmissionHandler> handler = new AtomicReference<>();
    private final LongAdder requests = new LongAdder();

    private WarmupUpstream(
            Vertx vertx, String caPem, String certPem, String keyPem, Map<String, byte[]> files, String digest)
            throws Exception {
        this.caPem = caPem;
        this.files = files;
        this.digest = digest;
        Router router = Router.router(vertx);
        router.post("/validate")
                .handler(BodyHandler.create(false).setBodyLimit(ReviewParser.MAX_REVIEW_BYTES))
                .handler(rc -> review(rc, false));
        router.post("/mutate")
                .handler(BodyHandler.create(false).setBodyLimit(ReviewParser.MAX_REVIEW_BYTES))
                .handler(rc -> review(rc, true));
        router.route().handler(this::file);
        HttpServerOptions base = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
        tls = vertx.createHttpServer(new HttpServerOptions(base)
                        .setSsl(true)
                        .setKeyCertOptions(new PemKeyCertOptions()
                                .setKeyValue(Buffer.buffer(keyPem))
                                .setCertValue(Buffer.buffer(certPem))))
                .requestHandler(router);
        plain = vertx.createHttpServer(base).requestHandler(router);
        await(Future.all(tls.listen(), plain.listen()));
    }

    /**
     * Starts both servers on {@code vertx}, serving {@code files} (URL path to body; a manifest path also gets
     * {@code Docker-Content-Digest: digest}).
     */
    static WarmupUpstream start(Vertx vertx, Map<String, byte[]> files, String digest) throws Exception {
        KeyPair caKey = newKeyPair();
        X500Name caName = new X500Name("CN=trustgate warm-up CA");
        Instant now = Instant.now();
        Date from = Date.from(now.minus(Duration.ofMinutes(5)));
        Date to = Date.from(now.plus(Duration.ofDays(1)));
        X509v3CertificateBuilder ca =
                new JcaX509v3CertificateBuilder(caName, serial(), from, to, caName, caKey.getPublic());
        ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature));
        X509Certificate caCert = sign(ca, caKey);
        KeyPair serverKey = newKeyPair();
        X509v3CertificateBuilder server = new JcaX509v3CertificateBuilder(
                caCert, serial(), from, to, new X500Name("CN=" + Warmup.REGISTRY), serverKey.getPublic());
        server.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        server.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        server.addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(HOSTS.stream()
                        .map(h -> new GeneralName(GeneralName.dNSName, h))
                        .toArray(GeneralName[]::new)));
        X509Certificate serverCert = sign(server, caKey);
        return new WarmupUpstream(
                vertx,
                pem(caCert),
                pem(serverCert),
                pem(new JcaPKCS8Generator(serverKey.getPrivate(), null)),
                Map.copyOf(new HashMap<>(files)),
                digest);
    }

    /** The CA of the TLS server's certificate, PEM. */
    String caPem() {
        return caPem;
    }

    /** Every host to one of the two loopback servers: port 80 to the plain one, any other port to TLS. */
    ServerAddresses addresses() {
        SocketAddress overTls = SocketAddress.inetSocketAddress(tls.actualPort(), "127.0.0.1");
        SocketAddress overPlain = SocketAddress.inetSocketAddress(plain.actualPort(), "127.0.0.1");
        return (host, port) -> port == 80 ? overPlain : overTls;
    }

    /** The TLS server's address, for posting reviews to it. */
    SocketAddress tlsAddress() {
        return SocketAddress.inetSocketAddress(tls.actualPort(), "127.0.0.1");
    }

    /** The handler that decides the reviews posted from now on (each round has its own). */
    void handler(AdmissionHandler current) {
        handler.set(current);
    }

    /** Requests answered so far. */
    long requests() {
        return requests.sum();
    }

    private void file(RoutingContext rc) {
        requests.increment();
        HttpServerResponse response = rc.response();
        byte[] body = HttpMethod.GET.equals(rc.request().method())
                        || HttpMethod.HEAD.equals(rc.request().method())
                ? files.get(rc.request().path())
                : null;
        if (body == null) {
            response.setStatusCode(404)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
                    .end("not found");
            return;
        }
        if (rc.request().path().contains("/manifests/")) {
            response.putHeader("Docker-Content-Digest", digest)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/vnd.oci.image.manifest.v1+json");
        } else {
            response.putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream");
        }
        if (HttpMethod.HEAD.equals(rc.request().method())) {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length))
                    .end();
        } else {
            response.end(Buffer.buffer(body));
        }
    }

    /** As the webhook's route: parse (bounded), decide, answer with the review and, for /mutate, its patch. */
    private void review(RoutingContext rc, boolean mutating) {
        requests.increment();
        Buffer body = rc.body().buffer();
        AdmissionHandler current = handler.get();
        try {
            if (current == null) {
                throw new MalformedReviewException("no warm-up round is running");
            }
            JsonNode review = ReviewParser.parse(body == null ? new byte[0] : body.getBytes());
            var unused = current.decide(review, mutating).whenComplete((d, e) -> {
                if (e != null) {
                    rc.fail(e);
                    return;
                }
                try {
                    ObjectNode answer = AdmissionHandler.toReview(d);
                    if (mutating && AdmissionHandler.toJsonPatch(d) != null) {
                        ((ObjectNode) answer.get("response"))
                                .put("patchType", "JSONPatch")
                                .put(
                                        "patch",
                                        Base64.getEncoder()
                                                .encodeToString(
                                                        JSON.writeValueAsBytes(AdmissionHandler.toJsonPatch(d))));
                    }
                    rc.response()
                            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                            .end(Buffer.buffer(JSON.writeValueAsBytes(answer)));
                } catch (IOException | RuntimeException x) {
                    rc.fail(x);
                }
            });
        } catch (MalformedReviewException e) {
            rc.response().setStatusCode(400).end(e.getMessage().toLowerCase(Locale.ROOT));
        }
    }

    @Override
    public void close() {
        try {
            await(Future.all(tls.close(), plain.close()));
        } catch (Exception e) {
            // best effort: the warm-up's Vert.x instance is closed right after, which closes them anyway
        }
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return gen.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws GeneralSecurityException, OperatorCreationException {
        return new JcaX509CertificateConverter()
                .getCertificate(
                        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            if (object instanceof PemObjectGenerator generator) {
                writer.writeObject(generator);
            } else {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
