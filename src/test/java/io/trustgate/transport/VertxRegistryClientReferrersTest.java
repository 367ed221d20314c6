package io.trustgate.transport;

import static io.trustgate.transport.VertxRegistryClientTest.ref;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.registry.MediaTypes;
import io.trustgate.registry.Referrer;
import io.trustgate.registry.Referrers;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.MutableClock;
import io.trustgate.testing.RegistryPeer;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link VertxRegistryClient#referrers} against real registries: go-containerregistry's registry, which serves the
 * OCI referrers API, and docker-registry 2.8 and distribution v3.1.2, which answer it with 404 so that the client
 * reads the referrers tag schema (an OCI index under the tag {@code sha256-<hex>}, kept by whoever pushes a
 * referrer, as notation and cosign do on such registries).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VertxRegistryClientReferrersTest {

    static final String NOTATION = "application/vnd.cncf.notary.signature";
    static final String SBOM = "application/vnd.example.sbom.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Vertx vertx;
    private final Map<RegistryPeer.Kind, Scenario> scenarios = new EnumMap<>(RegistryPeer.Kind.class);

    /** An image with two referrers (a signature and an SBOM) and an image with none, in one registry. */
    record Scenario(
            RegistryPeer registry,
            VertxRegistryClient client,
            ImageFactory.PushedImage image,
            String signature,
            String sbom,
            ImageFactory.PushedImage lonely) {}

    @BeforeAll
    void start() throws Exception {
        vertx = Vertx.vertx();
        for (RegistryPeer.Kind kind : RegistryPeer.Kind.values()) {
            RegistryPeer registry = RegistryPeer.builder(
                            "referrers-" + kind.name().toLowerCase(java.util.Locale.ROOT))
                    .kind(kind)
                    .start();
            ImageFactory.PushedImage image = ImageFactory.pushRandom(registry, "demo/app", "1.0");
            ImageFactory.PushedImage lonely = ImageFactory.pushRandom(registry, "demo/app", "2.0");
            String config = ImageFactory.pushBlob(registry, "demo/app", "{}".getBytes(StandardCharsets.UTF_8));
            ImageFactory.PushedManifest signature =
                    pushReferrer(registry, image, NOTATION, config, "application/jose+json", "sig");
            ImageFactory.PushedManifest sbom =
                    pushReferrer(registry, image, SBOM, config, "application/spdx+json", "sbom");
            if (kind != RegistryPeer.Kind.REFERRERS_API) {
                // what notation and cosign do on a registry without the API: keep the referrers tag's index
                // (go-containerregistry's registry lists referrers without sending OCI-Subject on the push)
                pushTagIndex(registry, image, List.of(signature, sbom), List.of(NOTATION, SBOM));
            }
            VertxRegistryClient client = new VertxRegistryClient(
                    vertx,
                    TrustgateSettings.defaults().transport().withInsecureHosts(registry.host()),
                    MutableClock.now());
            scenarios.put(kind, new Scenario(registry, client, image, signature.digest(), sbom.digest(), lonely));
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (Scenario s : scenarios.values()) {
            s.client().close();
            s.registry().close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Referrers.Discovery expected(RegistryPeer.Kind kind) {
        return kind == RegistryPeer.Kind.REFERRERS_API ? Referrers.Discovery.API : Referrers.Discovery.TAG_SCHEMA;
    }

    private static Referrers referrers(Scenario s, ImageFactory.PushedImage image, String artifactType) {
        return s.client()
                .referrers(ref(image.reference()), image.digest(), artifactType, RegistryCredentials.ANONYMOUS)
                .orTimeout(30, TimeUnit.SECONDS)
                .join();
    }

    @ParameterizedTest
    @EnumSource(RegistryPeer.Kind.class)
    @DisplayName("the referrers of one artifact type are found, through the API or the referrers tag")
    void filtered(RegistryPeer.Kind kind) {
        Scenario s = scenarios.get(kind);
        Referrers found = referrers(s, s.image(), NOTATION);
        assertThat(found.discovery()).isEqualTo(expected(kind));
        assertThat(found.truncated()).isFalse();
        assertThat(found.entries()).extracting(Referrer::digest).containsExactly(s.signature());
        Referrer entry = found.entries().get(0);
        assertThat(entry.artifactType()).isEqualTo(NOTATION);
        assertThat(entry.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(entry.size()).isPositive();
        if (kind == RegistryPeer.Kind.REFERRERS_API) {
            assertThat(s.registry()
                            .countRequests(
                                    "GET", "/v2/demo/app/referrers/" + s.image().digest()))
                    .isPositive();
            assertThat(s.registry().countRequests("GET", "/v2/demo/app/manifests/sha256-"))
                    .isZero();
        } else {
            assertThat(s.registry()
                            .countRequests(e -> e.uri().startsWith("/v2/demo/app/referrers/") && e.status() == 404))
                    .isPositive();
            assertThat(s.registry()
                            .countRequests(
                                    "GET",
                                    "/v2/demo/app/manifests/"
                                            + Referrers.tagSchemaTag(s.image().digest())))
                    .isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(RegistryPeer.Kind.class)
    @DisplayName("without a filter every referrer is listed")
    void unfiltered(RegistryPeer.Kind kind) {
        Scenario s = scenarios.get(kind);
        Referrers found = referrers(s, s.image(), null);
        assertThat(found.discovery()).isEqualTo(expected(kind));
        assertThat(found.entries()).extracting(Referrer::digest).containsExactlyInAnyOrder(s.signature(), s.sbom());
        assertThat(found.entries()).extracting(Referrer::artifactType).containsExactlyInAnyOrder(NOTATION, SBOM);
    }

    @ParameterizedTest
    @EnumSource(RegistryPeer.Kind.class)
    @DisplayName("an image nobody referred to has no referrers (an empty index, or no referrers tag)")
    void none(RegistryPeer.Kind kind) {
        Scenario s = scenarios.get(kind);
        Referrers found = referrers(s, s.lonely(), NOTATION);
        assertThat(found.discovery()).isEqualTo(expected(kind));
        assertThat(found.entries()).isEmpty();
        assertThat(found.truncated()).isFalse();
    }

    /**
     * An OCI 1.1 artifact manifest whose subject is {@code image}, with one layer of {@code layerType}; its artifact
     * type is its config's media type (no {@code artifactType} field, which image-spec 1.1 allows for a non-empty
     * config). go-containerregistry's registry derives a referrer's artifact type from the config alone (and
     * ignores the {@code artifactType} query and the annotations), so this is the form every registry here lists
     * alike.
     */
    private static ImageFactory.PushedManifest pushReferrer(
            RegistryPeer registry,
            ImageFactory.PushedImage image,
            String artifactType,
            String config,
            String layerType,
            String content)
            throws Exception {
        byte[] layer = (content + "-" + image.digest()).getBytes(StandardCharsets.UTF_8);
        String layerDigest = ImageFactory.pushBlob(registry, "demo/app", layer);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.put("config", Map.of("mediaType", artifactType, "digest", config, "size", 2));
        manifest.put("layers", List.of(Map.of("mediaType", layerType, "digest", layerDigest, "size", layer.length)));
        manifest.put(
                "subject",
                Map.of("mediaType", image.mediaType(), "digest", image.digest(), "size", image.manifest().length));
        manifest.put("annotations", Map.of("io.trustgate.test", content));
        byte[] bytes = JSON.writeValueAsBytes(manifest);
        return ImageFactory.pushManifest(
                registry, "demo/app", "sha256:" + ImageFactory.sha256Hex(bytes), MediaTypes.OCI_MANIFEST, bytes);
    }

    private static void pushTagIndex(
            RegistryPeer registry,
            ImageFactory.PushedImage image,
            List<ImageFactory.PushedManifest> referrers,
            List<String> artifactTypes)
            throws Exception {
        List<Map<String, Object>> entries = new java.util.ArrayList<>();
        for (int i = 0; i < referrers.size(); i++) {
            byte[] manifest = ImageFactory.fetchManifest(
                    registry, "demo/app", referrers.get(i).digest());
            entries.add(Map.of(
                    "mediaType",
                    MediaTypes.OCI_MANIFEST,
                    "artifactType",
                    artifactTypes.get(i),
                    "digest",
                    referrers.get(i).digest(),
                    "size",
                    manifest.length,
                    "annotations",
                    Map.of("io.trustgate.test", "entry-" + i)));
        }
        byte[] index = JSON.writeValueAsBytes(
                Map.of("schemaVersion", 2, "mediaType", MediaTypes.OCI_INDEX, "manifests", entries));
        ImageFactory.pushManifest(
                registry, "demo/app", Referrers.tagSchemaTag(image.digest()), MediaTypes.OCI_INDEX, index);
    }
}
