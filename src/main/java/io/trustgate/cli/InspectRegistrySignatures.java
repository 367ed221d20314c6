package io.trustgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.cosign.BundleReferrer;
import io.trustgate.cosign.CosignLimits;
import io.trustgate.cosign.InvalidBundleException;
import io.trustgate.cosign.InvalidSignatureManifestException;
import io.trustgate.cosign.SignatureManifest;
import io.trustgate.cosign.SigstoreBundle;
import io.trustgate.cosign.UnverifiedSignature;
import io.trustgate.image.ImageReference;
import io.trustgate.notation.NotationLimits;
import io.trustgate.notation.UnverifiedEnvelope;
import io.trustgate.registry.Referrer;
import io.trustgate.registry.Referrers;
import io.trustgate.registry.RegistryClient;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.transport.VertxRegistryClient;
import io.trustgate.verify.NotationSignatureSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The registry part of {@code trustgate inspect} without {@code --policies}: the cosign and Notation signatures a
 * registry holds for an image's digest, as they claim to be and NOT verified (no policy names keys to verify them
 * with): where each was found, its format, the digest it names, and the key id or certificate it claims. Bounded as
 * the webhook's sources are: the same byte limits, at most {@link CosignLimits#MAX_BUNDLES} bundles and
 * {@link NotationLimits#MAX_SIGNATURES} Notation signatures, the referrers listing's own caps; read anonymously.
 */
final class InspectRegistrySignatures {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EMPTY_CONFIG = "application/vnd.oci.empty.v1+json";
    static final String NOT_VERIFIED =
            "NOT VERIFIED: what the registry holds, as each signature claims it; " + "verify with --policies DIR";

    /** One signature as found. */
    record Found(
            String format,
            String location,
            List<String> signedDigests,
            String keyId,
            String subject,
            String issuer,
            List<String> identities,
            String detail) {}

    private final RegistryClient registry;
    private final long budgetMillis;

    private InspectRegistrySignatures(RegistryClient registry, long budgetMillis) {
        this.registry = registry;
        this.budgetMillis = budgetMillis;
    }

    /** Lists and prints (text to {@code out} when not {@code null}) into {@code json.registrySignatures}. */
    static int run(
            ImageReference ref,
            TrustgateSettings settings,
            Clock clock,
            PrintWriter out,
            ObjectNode json,
            boolean besideNotary)
            throws Exception {
        try (Transport transport = Transport.open()) {
            RegistryClient registry = new VertxRegistryClient(transport.vertx(), settings.transport(), clock);
            return new InspectRegistrySignatures(registry, settings.deadline().toMillis()).list(ref, out, json);
        } catch (CliException e) {
            if (!besideNotary) {
                throw e;
            }
            // Beside a Notary section, a registry that cannot be read is reported in its own section.
            ObjectNode o = json.putObject("registrySignatures");
            o.put("verified", false);
            o.put("error", e.getMessage());
            if (out != null) {
                out.println("Signatures in the registry for " + ref + ": " + e.getMessage());
            }
            return Main.OK;
        }
    }

    private int list(ImageReference ref, PrintWriter out, ObjectNode json) throws Exception {
        String digest = ref.digest() != null
                ? ref.digest()
                : get(registry.resolve(ref, RegistryCredentials.ANONYMOUS), "resolve " + ref)
                        .digest();
        List<Found> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        sigTag(ref, digest, found, problems);
        int others = referrers(ref, digest, found, problems);

        ObjectNode o = json.putObject("registrySignatures");
        o.put("verified", false);
        o.put("note", NOT_VERIFIED);
        o.put("image", ref.toString());
        o.put("digest", digest);
        ArrayNode sigs = o.putArray("signatures");
        for (Found f : found) {
            ObjectNode s = sigs.addObject();
            s.put("format", f.format());
            s.put("location", f.location());
            f.signedDigests().forEach(s.putArray("signedDigests")::add);
            s.put("signsThisDigest", f.signedDigests().contains(digest));
            s.put("keyId", f.keyId());
            s.put("subject", f.subject());
            s.put("issuer", f.issuer());
            f.identities().forEach(s.putArray("identities")::add);
            s.put("detail", f.detail());
        }
        o.put("otherReferrers", others);
        problems.forEach(o.putArray("problems")::add);
        if (out != null) {
            out.println("Signatures in the registry for " + ref + " (" + digest + ")");
            out.println(NOT_VERIFIED);
            out.println();
            if (found.isEmpty()) {
                out.println("No cosign or Notation signatures found.");
            } else {
                InspectCommand.table(
                        out,
                        List.of("FORMAT", "SIGNS", "KEY OR CERTIFICATE (claimed)", "FOUND AT"),
                        found.stream()
                                .map(f -> List.of(
                                        f.format(),
                                        f.signedDigests().contains(digest)
                                                ? "this digest"
                                                : f.signedDigests().isEmpty()
                                                        ? "(none named)"
                                                        : String.join(", ", f.signedDigests()),
                                        claimed(f),
                                        f.location()))
                                .toList());
            }
            if (others > 0) {
                out.println(others + " other referrer(s) (attestations, SBOMs, ...) not shown.");
            }
            for (String p : problems) {
                out.println("  problem: " + p);
            }
        }
        return Main.OK;
    }

    private static String claimed(Found f) {
        List<String> parts = new ArrayList<>();
        if (f.keyId() != null) {
            parts.add("key " + f.keyId());
        }
        if (f.subject() != null) {
            parts.add("subject " + f.subject());
        }
        if (f.issuer() != null) {
            parts.add("issuer " + f.issuer());
        }
        if (!f.identities().isEmpty()) {
            parts.add("identity " + String.join(", ", f.identities()));
        }
        if (f.detail() != null) {
            parts.add(f.detail());
        }
        return parts.isEmpty() ? "-" : String.join("; ", parts);
    }

    /** cosign 2.x: the layers of the {@code sha256-<hex>.sig} tag. */
    private void sigTag(ImageReference ref, String digest, List<Found> found, List<String> problems) throws Exception {
        String tagName = SignatureManifest.signatureTag(digest);
        ImageReference tag = new ImageReference(ref.domain(), ref.path(), tagName, null, ref.host());
        Optional<byte[]> manifest = get(
                registry.fetchManifest(tag, CosignLimits.MAX_MANIFEST_BYTES, RegistryCredentials.ANONYMOUS),
                "read the tag " + tagName);
        if (manifest.isEmpty()) {
            return;
        }
        SignatureManifest parsed;
        try {
            parsed = SignatureManifest.parse(manifest.get());
        } catch (InvalidSignatureManifestException e) {
            problems.add("tag " + tagName + ": " + Main.oneLine(e));
            return;
        }
        for (int i = 0; i < parsed.layers().size(); i++) {
            SignatureManifest.Layer layer = parsed.layers().get(i);
            String location = "tag " + tagName + " layer " + i;
            try {
                byte[] payload = get(
                        registry.fetchBlob(
                                tag, layer.digest(), CosignLimits.MAX_PAYLOAD_BYTES, RegistryCredentials.ANONYMOUS),
                        "read " + location);
                UnverifiedSignature s = UnverifiedSignature.ofPayload(payload);
                found.add(new Found(
                        "cosign-sig",
                        location,
                        s.signedDigests(),
                        null,
                        null,
                        null,
                        List.of(),
                        s.reference() == null ? null : "docker-reference " + s.reference()));
            } catch (CliException e) {
                problems.add(Main.oneLine(e));
            }
        }
    }

    /** cosign 3.x bundles and Notation signatures among the referrers; returns how many other referrers there are. */
    private int referrers(ImageReference ref, String digest, List<Found> found, List<String> problems)
            throws Exception {
        Referrers referrers =
                get(registry.referrers(ref, digest, null, RegistryCredentials.ANONYMOUS), "list the referrers");
        String listing = referrers.discovery() == Referrers.Discovery.API
                ? "referrers API"
                : "referrers tag " + Referrers.tagSchemaTag(digest);
        if (referrers.truncated()) {
            problems.add("the referrers listing was cut at its bounds (" + Referrers.MAX_REFERRERS + " entries, "
                    + Referrers.MAX_PAGES + " pages): more may exist");
        }
        int bundles = 0;
        int notation = 0;
        int others = 0;
        for (Referrer r : referrers.entries()) {
            String location = "referrer " + r.digest() + " (" + listing + ")";
            boolean isBundle =
                    SigstoreBundle.MEDIA_TYPE_V03.equals(r.artifactType()) || EMPTY_CONFIG.equals(r.artifactType());
            if (isBundle && bundles < CosignLimits.MAX_BUNDLES) {
                Optional<Found> f = bundle(ref, digest, r, location, problems);
                if (f.isPresent()) {
                    bundles++;
                    found.add(f.get());
                } else {
                    others++;
                }
            } else if (NotationSignatureSource.ARTIFACT_TYPE.equals(r.artifactType())
                    && notation < NotationLimits.MAX_SIGNATURES) {
                notation++;
                notation(ref, r, location, found, problems);
            } else {
                others++;
            }
        }
        return others;
    }

    private Optional<Found> bundle(
            ImageReference ref, String digest, Referrer r, String location, List<String> problems) throws Exception {
        ImageReference at = ref.withDigest(r.digest());
        Optional<byte[]> manifest = get(
                registry.fetchManifest(at, CosignLimits.MAX_MANIFEST_BYTES, RegistryCredentials.ANONYMOUS),
                "read " + location);
        if (manifest.isEmpty()) {
            return Optional.empty();
        }
        BundleReferrer referrer;
        try {
            referrer = BundleReferrer.parse(manifest.get(), digest);
        } catch (InvalidBundleException e) {
            // an empty-config artifact that is not a bundle (another tool's): not a signature
            return Optional.empty();
        }
        try {
            byte[] bytes = get(
                    registry.fetchBlob(
                            ref, referrer.bundleDigest(), CosignLimits.MAX_BUNDLE_BYTES, RegistryCredentials.ANONYMOUS),
                    "read the bundle of " + location);
            UnverifiedSignature s = UnverifiedSignature.ofBundle(SigstoreBundle.parse(bytes));
            return Optional.of(new Found(
                    "cosign-bundle",
                    location,
                    s.signedDigests(),
                    s.keyId(),
                    null,
                    s.issuer(),
                    s.identities(),
                    s.predicateType() == null ? null : "predicate " + s.predicateType()));
        } catch (InvalidBundleException e) {
            problems.add(location + ": " + Main.oneLine(e));
            return Optional.empty();
        }
    }

    private void notation(ImageReference ref, Referrer r, String location, List<Found> found, List<String> problems)
            throws Exception {
        Optional<byte[]> manifest = get(
                registry.fetchManifest(
                        ref.withDigest(r.digest()), NotationLimits.MAX_MANIFEST_BYTES, RegistryCredentials.ANONYMOUS),
                "read " + location);
        if (manifest.isEmpty()) {
            return;
        }
        JsonNode layer;
        try {
            JsonNode layers = JSON.readTree(manifest.get()).path("layers");
            if (!layers.isArray() || layers.size() != 1) {
                problems.add(location + ": not one envelope layer");
                return;
            }
            layer = layers.get(0);
        } catch (IOException e) {
            problems.add(location + ": the manifest is not JSON");
            return;
        }
        String mediaType = layer.path("mediaType").asText("");
        String blob = layer.path("digest").asText("");
        if (layer.path("size").asLong(-1) > NotationLimits.MAX_ENVELOPE_BYTES || !blob.startsWith("sha256:")) {
            problems.add(location + ": the envelope is larger than " + NotationLimits.MAX_ENVELOPE_BYTES
                    + " bytes or not named by sha256");
            return;
        }
        byte[] bytes = get(
                registry.fetchBlob(ref, blob, NotationLimits.MAX_ENVELOPE_BYTES, RegistryCredentials.ANONYMOUS),
                "read the envelope of " + location);
        Optional<UnverifiedEnvelope> e = UnverifiedEnvelope.read(bytes, mediaType);
        if (e.isEmpty()) {
            problems.add(location + ": not a readable Notation envelope (" + mediaType + ")");
            return;
        }
        UnverifiedEnvelope env = e.get();
        found.add(new Found(
                "notation-" + env.format().toLowerCase(java.util.Locale.ROOT),
                location,
                env.signedDigest() == null ? List.of() : List.of(env.signedDigest()),
                null,
                env.subject(),
                env.issuer(),
                List.of(),
                env.signingTime() == null ? null : "signed at " + env.signingTime()));
    }

    private <T> T get(CompletableFuture<T> future, String what) throws Exception {
        try {
            return future.get(budgetMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new CliException("cannot " + what + ": " + Main.oneLine(cause), cause);
        } catch (TimeoutException e) {
            throw new CliException("cannot " + what + ": no answer within " + budgetMillis + " ms", e);
        }
    }
}
