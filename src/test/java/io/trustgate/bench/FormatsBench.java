package io.trustgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.testing.CosignCli;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.NotationCli;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.SigningClis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The bench's cold rows for the registry-borne formats: new images, each in its own repository, signed by the real
 * cosign v2.6.5 (key-based, {@code .sig} tag), cosign v3.1.3 (key-based Sigstore bundle; docker-registry 2.8 has no
 * referrers API, so in the referrers tag) and notation v1.3.2 (JWS), all before trustgate starts, and one
 * ClusterTrustPolicy per format naming only that format's source and key. Kept apart from {@link Bench}'s GPG and
 * Notary preparation so that each can change alone.
 */
final class FormatsBench {

    /** The row labels, in the order the rows are measured and shown. */
    static final String COSIGN2 = "cosign 2.x key (.sig)";

    static final String COSIGN3 = "cosign 3 bundle key";
    static final String NOTATION = "Notation JWS";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryPeer registry;
    private final Path work;
    private SigningClis clis;
    private Path cosign2Key;
    private Path cosign3Key;
    private Path notationKey;

    /** Per format (in {@link #COSIGN2}, {@link #COSIGN3}, {@link #NOTATION} order), each endpoint's new images. */
    final Map<String, Map<Bench.Endpoint, List<PushedImage>>> images = new LinkedHashMap<>();

    double prepareSeconds;

    /**
     * One more cosign 3 image (bundle in the referrers tag) for section (d): 200 concurrent reviews of it, every
     * upstream object fetched once. Under {@code cold-cosign3/}, so the cosign 3 policy governs it.
     */
    PushedImage herdCosign3;

    FormatsBench(RegistryPeer registry, Path work) {
        this.registry = registry;
        this.work = work;
    }

    /** Builds or finds the tools, makes the keys and pushes and signs {@code cold} new images per endpoint and format. */
    void prepare(int cold) throws Exception {
        long t0 = System.nanoTime();
        clis = SigningClis.create(work);
        cosign2Key = clis.cosign2().keyPair("bench");
        cosign3Key = clis.cosign3().keyPair("bench");
        notationKey = clis.notation().signingKey("bench");
        for (String kind : List.of(COSIGN2, COSIGN3, NOTATION)) {
            images.put(kind, new EnumMap<>(Bench.Endpoint.class));
        }
        // Two signers at a time (two cores): cosign 2 then Notation on one, cosign 3 on the other.
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = two.submit(() -> {
                sign(COSIGN2, "cold-cosign2", cold);
                sign(NOTATION, "cold-notation", cold);
                return null;
            });
            Future<?> b = two.submit(() -> {
                sign(COSIGN3, "cold-cosign3", cold);
                PushedImage herd = ImageFactory.pushRandom(registry, "bench/cold-cosign3/herd/app", "1.0");
                clis.cosign3().sign(cosign3Key, herd.digestReference());
                herdCosign3 = herd;
                return null;
            });
            a.get();
            b.get();
        } finally {
            two.shutdownNow();
        }
        prepareSeconds = (System.nanoTime() - t0) / 1e9;
    }

    private void sign(String kind, String dir, int cold) {
        for (Bench.Endpoint e : Bench.Endpoint.values()) {
            List<PushedImage> list = new ArrayList<>();
            for (int i = 1; i <= cold; i++) {
                PushedImage img = ImageFactory.pushRandom(registry, "bench/" + dir + e.path() + "/app-" + i, "1.0");
                switch (kind) {
                    case COSIGN2 -> clis.cosign2().sign(cosign2Key, img.digestReference());
                    case COSIGN3 -> clis.cosign3().sign(cosign3Key, img.digestReference());
                    default -> clis.notation().sign(notationKey, img.digestReference(), "jws");
                }
                list.add(img);
            }
            synchronized (images) {
                images.get(kind).put(e, list);
            }
        }
    }

    /** One policy per format in {@code dir}, each governing its own repositories with its own source and key. */
    void writePolicies(Path dir) throws IOException {
        ObjectNode c2 = policy("bench-cosign2", "cold-cosign2");
        ((ObjectNode) c2.get("spec")).putObject("cosign");
        ((ObjectNode) c2.get("spec")).put("signedIdentity", "matchRepository");
        signer(c2, "bench-cosign2", CosignCli.publicKey(cosign2Key));
        Files.writeString(dir.resolve("bench-cosign2.json"), JSON.writeValueAsString(c2));

        ObjectNode c3 = policy("bench-cosign3", "cold-cosign3");
        ((ObjectNode) c3.get("spec")).putObject("cosign");
        ((ObjectNode) c3.get("spec")).put("signedIdentity", "matchRepository");
        signer(c3, "bench-cosign3", CosignCli.publicKey(cosign3Key));
        Files.writeString(dir.resolve("bench-cosign3.json"), JSON.writeValueAsString(c3));

        ObjectNode n = policy("bench-notation", "cold-notation");
        ((ObjectNode) n.get("spec")).putObject("notation");
        signer(n, "bench-notation", NotationCli.certificate(notationKey));
        Files.writeString(dir.resolve("bench-notation.json"), JSON.writeValueAsString(n));
    }

    private ObjectNode policy(String name, String dir) {
        ObjectNode p = JSON.createObjectNode();
        p.put("apiVersion", "trustgate.io/v1alpha1");
        p.put("kind", "ClusterTrustPolicy");
        p.putObject("metadata").put("name", name);
        ObjectNode spec = p.putObject("spec");
        spec.put("mode", "Enforce");
        spec.putArray("images").add(registry.host() + "/bench/" + dir + "/**");
        spec.put("minSignatures", 1);
        return p;
    }

    private static void signer(ObjectNode policy, String name, String key) {
        ArrayNode keys = ((ObjectNode) policy.get("spec"))
                .putArray("signers")
                .addObject()
                .put("name", name)
                .putArray("keys");
        keys.add(key);
    }
}
