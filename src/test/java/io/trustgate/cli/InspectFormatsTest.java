package io.trustgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.testing.CosignCli;
import io.trustgate.testing.ImageFactory;
import io.trustgate.testing.ImageFactory.PushedImage;
import io.trustgate.testing.NotationCli;
import io.trustgate.testing.PeerProcess;
import io.trustgate.testing.RegistryPeer;
import io.trustgate.testing.SigningClis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code inspect --policies} and {@code check} over every registry-borne format at once: one image in a real
 * docker-registry (no referrers API: cosign 3 and notation share the referrers tag) signed by the real cosign
 * v2.6.5 ({@code .sig} tag), cosign v3.1.3 (a Sigstore bundle) and notation v1.3.2 (JWS), and by a key no policy
 * trusts; and one image in go-containerregistry's registry, where cosign 3 uses the OCI referrers API.
 */
@DisplayName("trustgate inspect and check across cosign 2, cosign 3 and Notation")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InspectFormatsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryPeer registry;
    private RegistryPeer apiRegistry;
    private SigningClis clis;
    private Path alice;
    private Path bob;
    private Path mallory;
    private Path release;
    private Path policies;
    private PushedImage image;
    private PushedImage apiImage;
    private PushedImage strangers;

    @BeforeAll
    void start() throws Exception {
        Path work = Files.createTempDirectory(PeerProcess.peerDir("inspect-formats"), "run-");
        registry = RegistryPeer.builder("inspect-formats").start();
        apiRegistry = RegistryPeer.builder("inspect-formats-api")
                .kind(RegistryPeer.Kind.REFERRERS_API)
                .start();
        clis = SigningClis.create(work);
        alice = clis.cosign2().keyPair("alice");
        mallory = clis.cosign2().keyPair("mallory");
        bob = clis.cosign3().keyPair("bob");
        release = clis.notation().signingKey("release");

        image = ImageFactory.pushRandom(registry, "formats/app", "1.0");
        clis.cosign2().sign(alice, image.digestReference());
        clis.cosign2().sign(mallory, image.digestReference());
        clis.cosign3().sign(bob, image.digestReference());
        clis.notation().sign(release, image.digestReference(), "jws");

        apiImage = ImageFactory.pushRandom(apiRegistry, "formats/api", "1.0");
        clis.cosign3().sign(bob, apiImage.digestReference());

        strangers = ImageFactory.pushRandom(registry, "formats/strangers", "1.0");
        clis.cosign2().sign(mallory, strangers.digestReference());

        policies = Files.createDirectories(work.resolve("policies"));
        writePolicy("formats", 3);
    }

    @AfterAll
    void stop() {
        if (registry != null) {
            registry.close();
        }
        if (apiRegistry != null) {
            apiRegistry.close();
        }
    }

    /** One ClusterTrustPolicy over both registries: alice (cosign key), bob (cosign key), release (Notation CA). */
    private void writePolicy(String name, int minSignatures, String... extraSigners) throws Exception {
        ObjectNode p = JSON.createObjectNode();
        p.put("apiVersion", "trustgate.io/v1alpha1");
        p.put("kind", "ClusterTrustPolicy");
        p.putObject("metadata").put("name", name);
        ObjectNode spec = p.putObject("spec");
        spec.put("mode", "Enforce");
        spec.putArray("images").add(registry.host() + "/formats/**").add(apiRegistry.host() + "/formats/**");
        spec.putObject("cosign");
        spec.putObject("notation");
        spec.put("signedIdentity", "matchRepository");
        ArrayNode signers = spec.putArray("signers");
        signers.addObject().put("name", "alice").putArray("keys").add(CosignCli.publicKey(alice));
        signers.addObject().put("name", "bob").putArray("keys").add(CosignCli.publicKey(bob));
        signers.addObject().put("name", "release").putArray("keys").add(NotationCli.certificate(release));
        for (String extra : extraSigners) {
            // a signer whose key signed nothing here: mallory's public key is not it
            signers.addObject()
                    .put("name", extra)
                    .putArray("keys")
                    .add(CosignCli.publicKey(clis.cosign2().keyPair(extra)));
        }
        spec.put("minSignatures", minSignatures);
        Files.writeString(policies.resolve(name + ".json"), JSON.writeValueAsString(p));
    }

    private CliRun run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(
                "--policies",
                policies.toString(),
                "--insecure-registry",
                registry.host(),
                "--insecure-registry",
                apiRegistry.host()));
        return CliRun.of(Map.of(), all.toArray(String[]::new));
    }

    private static List<JsonNode> signatures(JsonNode out) {
        List<JsonNode> all = new ArrayList<>();
        out.at("/policies/0/signatures").forEach(all::add);
        return all;
    }

    @Test
    @DisplayName("inspect --output json: a cosign 2 .sig signature, a cosign 3 bundle and a Notation JWS signature"
            + " each with where it was found, the key or subject it verified under, its signer and digest; a"
            + " stranger's .sig signature with why it does not count")
    void inspectJsonAllFormats() throws Exception {
        CliRun r = run("inspect", image.reference(), "-o", "json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode out = JSON.readTree(r.out());
        assertThat(out.path("image").asText()).isEqualTo(image.reference());
        assertThat(out.path("digest").asText()).isEqualTo(image.digest());
        assertThat(out.at("/policies/0/policy").asText()).isEqualTo("ClusterTrustPolicy/formats");
        assertThat(out.at("/policies/0/satisfied").asBoolean()).isTrue();
        List<JsonNode> sigs = signatures(out);
        assertThat(sigs).allSatisfy(s -> assertThat(s.path("digest").asText()).isEqualTo(image.digest()));

        String sigTag = CosignCli.signatureTag(image.digest());
        assertThat(sigs)
                .filteredOn(s -> s.path("format").asText().equals("cosign-sig"))
                .hasSize(2)
                .allSatisfy(s -> assertThat(s.path("location").asText()).startsWith("tag " + sigTag + " layer "))
                .anySatisfy(s -> {
                    assertThat(s.path("signer").asText()).isEqualTo("alice");
                    assertThat(s.path("counts").asBoolean()).isTrue();
                    assertThat(s.path("identity").asText()).isNotBlank();
                    assertThat(s.path("rejection").isNull()).isTrue();
                })
                .anySatisfy(s -> {
                    assertThat(s.path("counts").asBoolean()).isFalse();
                    assertThat(s.path("signer").isNull()).isTrue();
                    assertThat(s.path("rejection").asText()).isNotBlank();
                });
        assertThat(sigs)
                .filteredOn(s -> s.path("format").asText().equals("cosign-bundle"))
                .singleElement()
                .satisfies(s -> {
                    assertThat(s.path("signer").asText()).isEqualTo("bob");
                    assertThat(s.path("location").asText())
                            .startsWith("referrer sha256:")
                            .contains("referrers tag " + image.digest().replace(':', '-'));
                });
        assertThat(sigs)
                .filteredOn(s -> s.path("format").asText().equals("notation-jws"))
                .singleElement()
                .satisfies(s -> {
                    assertThat(s.path("signer").asText()).isEqualTo("release");
                    assertThat(s.path("identity").asText()).contains("CN=release");
                    assertThat(s.path("location").asText()).startsWith("referrer sha256:");
                });
        // alice and bob's key ids differ: each row names the key that verified it
        String aliceKey = sigs.stream()
                .filter(s -> "alice".equals(s.path("signer").asText()))
                .findFirst()
                .orElseThrow()
                .path("identity")
                .asText();
        String bobKey = sigs.stream()
                .filter(s -> "bob".equals(s.path("signer").asText()))
                .findFirst()
                .orElseThrow()
                .path("identity")
                .asText();
        assertThat(aliceKey).isNotEqualTo(bobKey);
        // cosign 2.6.5 verify refuses an image with bundles beside its .sig (it wants a trusted root for them), so
        // cosign 3 is the oracle here, for bob's bundle.
        io.trustgate.testing.Proc.Result oracle = clis.cosign3().verify(bob, image.digestReference());
        assertThat(oracle.exitCode()).as(oracle.stderr()).isZero();
        assertThat(clis.notation().verifies(release, image.digestReference(), "*"))
                .isTrue();
    }

    @Test
    @DisplayName("inspect text output: one line per signature with its format, signer, key and place, and the verdict")
    void inspectText() {
        CliRun r = run("inspect", image.reference());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Digest " + image.digest())
                .contains("Policy ClusterTrustPolicy/formats (Enforce): SATISFIED, 3 of 3 required signers found");
        List<String> lines = r.out().lines().toList();
        assertThat(lines)
                .anySatisfy(l -> assertThat(l).startsWith("cosign-sig ").contains(" alice "));
        assertThat(lines)
                .anySatisfy(l -> assertThat(l).startsWith("cosign-bundle ").contains(" bob "));
        assertThat(lines)
                .anySatisfy(l -> assertThat(l)
                        .startsWith("notation-jws ")
                        .contains(" release ")
                        .contains("CN=release"));
        assertThat(lines)
                .anySatisfy(l ->
                        assertThat(l).startsWith("cosign-sig ").contains(" - ").contains("no trusted key"));
    }

    @Test
    @DisplayName("inspect through the OCI referrers API: the cosign 3 bundle is found as a referrer by the API")
    void inspectReferrersApi() throws Exception {
        CliRun r = run("inspect", apiImage.reference(), "-o", "json");
        JsonNode out = JSON.readTree(r.out());
        assertThat(r.code()).as("needs 3 signers, only bob signed: %s", r.err()).isEqualTo(1);
        assertThat(signatures(out)).singleElement().satisfies(s -> {
            assertThat(s.path("format").asText()).isEqualTo("cosign-bundle");
            assertThat(s.path("signer").asText()).isEqualTo("bob");
            assertThat(s.path("location").asText()).endsWith("(referrers API)");
        });
        assertThat(out.at("/policies/0/missing"))
                .extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("alice", "release");
    }

    @Test
    @DisplayName(
            "inspect of an image signed only by a stranger: exit 1, the signature shown with why it does not count")
    void inspectStranger() throws Exception {
        CliRun r = run("inspect", strangers.reference(), "-o", "json");
        assertThat(r.code()).isEqualTo(1);
        JsonNode out = JSON.readTree(r.out());
        assertThat(out.at("/policies/0/satisfied").asBoolean()).isFalse();
        assertThat(signatures(out)).singleElement().satisfies(s -> {
            assertThat(s.path("format").asText()).isEqualTo("cosign-sig");
            assertThat(s.path("counts").asBoolean()).isFalse();
            assertThat(s.path("rejection").asText()).contains("no trusted key");
        });
        assertThat(clis.cosign2().verify(alice, strangers.digestReference()).exitCode())
                .isNotZero();
    }

    private CliRun runUnverified(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--insecure-registry", registry.host(), "--insecure-registry", apiRegistry.host()));
        return CliRun.of(Map.of(), all.toArray(String[]::new));
    }

    @Test
    @DisplayName("inspect without --policies -o json: the .sig layers of cosign 2, the cosign 3 bundle and the Notation"
            + " JWS signature the registry holds, each with where it was found, the digest it signs and the key or"
            + " certificate it claims, all marked not verified")
    void inspectUnverifiedJson() throws Exception {
        CliRun r = runUnverified("inspect", image.reference(), "-o", "json");
        assertThat(r.code()).as(r.describe()).isZero();
        JsonNode o = JSON.readTree(r.out()).path("registrySignatures");
        assertThat(o.path("verified").asBoolean(true)).isFalse();
        assertThat(o.path("note").asText()).startsWith("NOT VERIFIED");
        assertThat(o.path("digest").asText()).isEqualTo(image.digest());
        List<JsonNode> sigs = new ArrayList<>();
        o.path("signatures").forEach(sigs::add);
        assertThat(sigs).allSatisfy(s -> {
            assertThat(s.path("signsThisDigest").asBoolean()).isTrue();
            assertThat(s.path("signedDigests")).extracting(JsonNode::asText).containsExactly(image.digest());
        });
        String sigTag = CosignCli.signatureTag(image.digest());
        // alice and mallory: two layers of the one .sig tag; a .sig names no key, only the signed reference
        assertThat(sigs)
                .filteredOn(s -> s.path("format").asText().equals("cosign-sig"))
                .hasSize(2)
                .allSatisfy(s -> {
                    assertThat(s.path("location").asText()).startsWith("tag " + sigTag + " layer ");
                    assertThat(s.path("detail").asText())
                            .isEqualTo("docker-reference " + registry.host() + "/formats/app");
                });
        assertThat(sigs)
                .filteredOn(s -> s.path("format").asText().equals("cosign-bundle"))
                .singleElement()
                .satisfies(s -> {
                    assertThat(s.path("location").asText())
                            .startsWith("referrer sha256:")
                            .endsWith("(referrers tag " + image.digest().replace(':', '-') + ")");
                    assertThat(s.path("keyId").asText()).isNotBlank();
                    assertThat(s.path("detail").asText()).isEqualTo("predicate https://sigstore.dev/cosign/sign/v1");
                });
        assertThat(sigs)
                .filteredOn(s -> s.path("format").asText().equals("notation-jws"))
                .singleElement()
                .satisfies(s -> {
                    assertThat(s.path("subject").asText()).contains("CN=release");
                    assertThat(s.path("issuer").asText()).isNotBlank();
                    assertThat(s.path("detail").asText()).startsWith("signed at ");
                });
        assertThat(o.path("problems")).isEmpty();
    }

    @Test
    @DisplayName("inspect without --policies, text: a section headed NOT VERIFIED with one line per signature, and the"
            + " cosign 3 bundle found through the OCI referrers API on a registry that serves it")
    void inspectUnverifiedText() throws Exception {
        CliRun r = runUnverified("inspect", image.reference());
        assertThat(r.code()).as(r.describe()).isZero();
        assertThat(r.out())
                .contains("Signatures in the registry for " + image.reference() + " (" + image.digest() + ")")
                .contains("NOT VERIFIED");
        List<String> lines = r.out().lines().toList();
        assertThat(lines)
                .filteredOn(l -> l.startsWith("cosign-sig "))
                .hasSize(2)
                .allSatisfy(l -> assertThat(l).contains("this digest"));
        assertThat(lines)
                .anySatisfy(l -> assertThat(l).startsWith("cosign-bundle ").contains("key "));
        assertThat(lines)
                .anySatisfy(l -> assertThat(l).startsWith("notation-jws ").contains("subject CN=release"));

        CliRun api = runUnverified("inspect", apiImage.reference(), "-o", "json");
        assertThat(api.code()).as(api.describe()).isZero();
        JsonNode sigs = JSON.readTree(api.out()).at("/registrySignatures/signatures");
        assertThat(sigs).singleElement().satisfies(s -> {
            assertThat(s.path("format").asText()).isEqualTo("cosign-bundle");
            assertThat(s.path("location").asText()).endsWith("(referrers API)");
            assertThat(s.path("signsThisDigest").asBoolean()).isTrue();
        });
    }

    @Test
    @DisplayName("check counts cosign 2, cosign 3 and Notation signers together, as the webhook does, and names the"
            + " missing signer when one more is required")
    void checkAcrossFormats() throws Exception {
        CliRun ok = run("check", image.reference());
        assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).startsWith("ALLOWED image/" + image.reference());

        writePolicy("formats-four", 4, "carol");
        try {
            CliRun denied = run("check", image.reference(), "-o", "json");
            assertThat(denied.code()).isEqualTo(1);
            JsonNode v = JSON.readTree(denied.out()).get(0);
            assertThat(v.path("allowed").asBoolean()).isFalse();
            assertThat(v.path("message").asText())
                    .contains(image.reference())
                    .contains("ClusterTrustPolicy/formats-four")
                    .contains("carol");
        } finally {
            Files.delete(policies.resolve("formats-four.json"));
        }
    }
}
