package io.trustgate.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.cache.CachingRegistryClient;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.cosign.SigstoreBundle;
import io.trustgate.image.ImageReference;
import io.trustgate.policy.CosignConfig;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.registry.Referrers;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.testing.CosignCli;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.transport.TransportOptions;
import io.trustgate.transport.VertxRegistryClient;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The referrers listing's bound is per artifact type ({@link Referrers#MAX_REFERRERS}), so many referrers of another
 * type (SBOMs, attestations) cannot push an image's signature out of it. In the real docker-registry (no referrers
 * API: the referrers tag, whose order is the order of pushing) an image gets 200 OCI artifacts of another type pushed
 * by a small helper, then a real cosign 3 signature, which cosign appends as entry 201; through the webhook's stack
 * (CachingRegistryClient over VertxRegistryClient) it is admitted. Over the cap of one type, the denial names it.
 */
class ReferrersCapTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String SBOM = "application/vnd.example.sbom.v1+json";

    private static RegistryPeer registry;
    private static Vertx vertx;
    private static VertxRegistryClient client;
    private static ExecutorService crypto;
    private static ImageVerifier verifier;
    private static CosignCli cosign;
    private static Path alice;

    @BeforeAll
    static void start() throws Exception {
        cosign = CosignCli.create(
                CosignCli.Version.V3, Files.createTempDirectory(PeerProcess.peerDir("referrers-cap"), "keys-"));
        registry = RegistryPeer.builder("referrers-cap").start();
        vertx = Vertx.vertx();
        TrustgateSettings settings = TrustgateSettings.defaults();
        TransportOptions options = settings.transport().withInsecureHosts(registry.host());
        client = new VertxRegistryClient(vertx, options, Clock.systemUTC());
        crypto = Executors.newFixedThreadPool(2);
        CachingRegistryClient caching = new CachingRegistryClient(client, settings.cache(), Clock.systemUTC());
        verifier = new ImageVerifier(
                caching, List.of(new CosignSignatureSource(caching, crypto)), Clock.systemUTC(), settings.cache());
        alice = cosign.keyPair("alice");
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (crypto != null) {
            crypto.shutdownNow();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    @DisplayName("an image with 200 referrers of another artifact type before its one real cosign 3 signature (entry"
            + " 201 of the referrers tag) is admitted: the cap of 128 is per artifact type")
    void manyOtherReferrersAdmitted() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "cap/many-sboms", "1.0");
        pushArtifacts(img, SBOM, 200);
        cosign.sign(alice, img.digestReference());
        // cosign rewrites the referrers tag in its own order; the spec names none. Put its bundle last, as a registry
        // may, so that a cap over all types would cut it.
        String tag = Referrers.tagSchemaTag(img.digest());
        ObjectNode index = (ObjectNode) JSON.readTree(ImageFactory.fetchManifest(registry, img.path(), tag));
        List<JsonNode> reordered = new ArrayList<>();
        index.path("manifests").forEach(reordered::add);
        reordered.sort(java.util.Comparator.comparing(
                m -> m.path("artifactType").asText().equals(SigstoreBundle.MEDIA_TYPE_V03)));
        index.putArray("manifests").addAll(reordered);
        ImageFactory.pushManifest(registry, img.path(), tag, OCI_INDEX, JSON.writeValueAsBytes(index));

        List<String> types = new ArrayList<>();
        index.path("manifests").forEach(m -> types.add(m.path("artifactType").asText()));
        assertThat(types).hasSize(201);
        assertThat(types.indexOf(SigstoreBundle.MEDIA_TYPE_V03))
                .as("the bundle is entry 201, after the 200 others: past a cap of 128 over all types")
                .isEqualTo(200);

        PolicyVerdict v = verify(img);
        assertThat(v.satisfied()).as(v.findings().toString()).isTrue();
        assertThat(cosign.verify(alice, img.digestReference()).ok()).isTrue();
    }

    @Test
    @DisplayName("more than 128 referrers of the cosign bundle type: the rest are not read, and the denial names the"
            + " per-type cap and the type")
    void overThePerTypeCapDenied() throws Exception {
        PushedImage img = ImageFactory.pushRandom(registry, "cap/many-bundles", "1.0");
        pushArtifacts(img, SigstoreBundle.MEDIA_TYPE_V03, Referrers.MAX_REFERRERS + 1);

        PolicyVerdict v = verify(img);
        assertThat(v.satisfied()).isFalse();
        assertThat(v.findings().problems())
                .anySatisfy(p -> assertThat(p)
                        .contains("more than " + Referrers.MAX_REFERRERS + " referrers of artifact type "
                                + SigstoreBundle.MEDIA_TYPE_V03)
                        .contains(img.digest()));
        assertThat(cosign.verify(alice, img.digestReference()).ok()).isFalse();
    }

    /**
     * Pushes {@code count} OCI artifacts of {@code artifactType} whose subject is the image, and the referrers tag
     * listing them (docker-registry keeps no referrers list: the pusher writes the tag, as cosign and notation do).
     */
    private static void pushArtifacts(PushedImage img, String artifactType, int count) throws Exception {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        String configDigest = ImageFactory.pushBlob(registry, img.path(), config);
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2).put("mediaType", OCI_INDEX);
        ArrayNode entries = index.putArray("manifests");
        byte[] layer = ("an artifact of " + img.digest()).getBytes(StandardCharsets.UTF_8);
        String layerDigest = ImageFactory.pushBlob(registry, img.path(), layer);
        for (int i = 0; i < count; i++) {
            ObjectNode m = JSON.createObjectNode();
            m.put("schemaVersion", 2).put("mediaType", OCI_MANIFEST).put("artifactType", artifactType);
            m.putObject("annotations").put("org.example.index", Integer.toString(i));
            m.putObject("config")
                    .put("mediaType", "application/vnd.oci.empty.v1+json")
                    .put("digest", configDigest)
                    .put("size", config.length);
            m.putArray("layers")
                    .addObject()
                    .put("mediaType", "application/octet-stream")
                    .put("digest", layerDigest)
                    .put("size", layer.length);
            m.putObject("subject")
                    .put("mediaType", img.mediaType())
                    .put("digest", img.digest())
                    .put("size", img.manifest().length);
            byte[] bytes = JSON.writeValueAsBytes(m);
            String digest = "sha256:" + ImageFactory.sha256Hex(bytes);
            ImageFactory.pushManifest(registry, img.path(), digest, OCI_MANIFEST, bytes);
            entries.addObject()
                    .put("mediaType", OCI_MANIFEST)
                    .put("artifactType", artifactType)
                    .put("digest", digest)
                    .put("size", bytes.length);
        }
        ImageFactory.pushManifest(
                registry, img.path(), Referrers.tagSchemaTag(img.digest()), OCI_INDEX, JSON.writeValueAsBytes(index));
    }

    private static PolicyVerdict verify(PushedImage img) throws Exception {
        String key = CosignCli.publicKey(alice);
        Policy policy = Policy.builder(PolicyId.cluster("referrers-cap"), "uid-cap", "1")
                .images(List.of(ImagePattern.compile(registry.host() + "/**")))
                .signers(List.of(Signer.builder("alice").keys(List.of(key)).build()))
                .cosign(new CosignConfig(null))
                .build();
        return verifier.verify(
                        ImageReference.parse(img.digestReference()), List.of(policy), RegistryCredentials.ANONYMOUS)
                .get(60, TimeUnit.SECONDS)
                .verdicts()
                .get(0);
    }
}
