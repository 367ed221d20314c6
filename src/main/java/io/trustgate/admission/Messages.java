package io.trustgate.admission;

import io.trustgate.image.ImageReference;
import io.trustgate.policy.BrokenPolicy;
import io.trustgate.policy.Exemption;
import io.trustgate.policy.Policy;
import io.trustgate.policy.Signer;
import io.trustgate.policy.Threshold;
import io.trustgate.verify.ImageVerdict;
import io.trustgate.verify.PolicyVerdict;
import io.trustgate.verify.SignerEvidence;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The sentences a developer reads when an image is denied or warned about: one line each, naming the
 * image, the digest, the policy, the signers found and missing, and what to do next.
 */
public final class Messages {

    private Messages() {}

    public static String tooManyImages(int images, int limit) {
        return "the pod names " + images + " distinct images, more than the " + limit
                + " that trustgate checks in one review; none was checked. Split the workload into pods with at most "
                + limit + " images each.";
    }

    /** An image admitted without a policy's check because a TrustException waives it (an admission warning). */
    public static String exempted(ImageReference image, Policy policy, Exemption exemption) {
        return "image " + image + " was not checked against " + policy.id() + ": TrustException " + exemption.ref()
                + " exempts it until " + exemption.expires() + " (reason: " + exemption.reason()
                + "). After that it is checked again; sign it, or ask for a new exception before then.";
    }

    public static String unsatisfied(ImageVerdict image, PolicyVerdict verdict) {
        Threshold.Outcome o = verdict.outcome();
        StringBuilder sb = new StringBuilder();
        sb.append("image ").append(image.image());
        sb.append(image.digest() != null && !image.image().hasDigest() ? " (" + image.digest() + ")" : "");
        sb.append(" is not signed as ").append(verdict.policy().id()).append(" requires: ");
        sb.append("signed by ").append(o.found().isEmpty() ? "no trusted signer" : signers(verdict));
        sb.append("; needs ")
                .append(o.required())
                .append(o.required() == 1 ? " signer" : " signers")
                .append(" of ")
                .append(verdict.policy().signerNames());
        if (!o.missingRequired().isEmpty()) {
            sb.append(", required ").append(o.missingRequired()).append(" missing");
            sb.append(" (")
                    .append(lookedFor(verdict.policy(), o.missingRequired()))
                    .append(")");
        } else if (!o.missing().isEmpty()) {
            sb.append(", missing ").append(o.missing());
            sb.append(" (").append(lookedFor(verdict.policy(), o.missing())).append(")");
        }
        List<String> problems = verdict.findings().problems();
        if (!problems.isEmpty()) {
            sb.append("; ").append(String.join("; ", problems));
        }
        sb.append(". ").append(advice(image, verdict));
        return sb.toString();
    }

    /** The tag could not be resolved now; its last good verdict is about a digest it may no longer name. */
    public static String digestUnknown(ImageVerdict image, PolicyVerdict verdict) {
        return "image " + image.image() + " could not be checked under "
                + verdict.policy().id() + ": the registry "
                + image.image().domain()
                + " could not be reached (or did not answer in time), so the tag's current digest is"
                + " unknown (it was "
                + image.digest()
                + " when last verified, but the tag may have moved since). Fix: retry when the registry"
                + " is reachable, or deploy the verified digest ("
                + image.image().repository() + "@" + image.digest()
                + ").";
    }

    /** The warning of /mutate when it pins a tag it could not resolve now to the digest verified for it before. */
    public static String pinnedToLastVerified(ImageVerdict image) {
        return "trustgate: the registry " + image.image().domain() + " could not be reached (or did not answer in"
                + " time), so image " + image.image() + " is pinned to " + image.digest() + ", the digest verified"
                + " for this tag before; the tag may point elsewhere now.";
    }

    /**
     * Per missing signer, the signature formats trustgate looked for: those the policy turns on and the signer
     * has keys or identities for. One signer counts once whatever format it signed with.
     */
    static String lookedFor(Policy policy, List<String> missing) {
        return missing.stream()
                .map(name -> policy.signers().stream()
                        .filter(s -> s.name().equals(name))
                        .findFirst()
                        .map(s -> {
                            List<String> formats = formats(policy, s);
                            return name + ": "
                                    + (formats.isEmpty()
                                            ? "none of this policy's formats fits its keys"
                                            : "no valid " + String.join(" or ", formats) + " signature");
                        })
                        .orElse(name + ": not a signer of this policy"))
                .collect(Collectors.joining("; "));
    }

    static List<String> formats(Policy policy, Signer signer) {
        List<String> formats = new java.util.ArrayList<>();
        List<String> pem = signer.notaryKeys();
        if (!signer.pgpKeys().isEmpty() && policy.lookaside() != null) {
            formats.add("gpg");
        }
        if (!pem.isEmpty() && policy.notary() != null) {
            formats.add("notary");
        }
        if (policy.cosign() != null
                && (pem.stream().anyMatch(k -> k.contains("PUBLIC KEY"))
                        || !signer.identities().isEmpty())) {
            formats.add("cosign");
        }
        if (policy.notation() != null && pem.stream().anyMatch(k -> k.contains("BEGIN CERTIFICATE"))) {
            formats.add("notation");
        }
        return formats;
    }

    private static String signers(PolicyVerdict verdict) {
        return verdict.findings().found().stream()
                .collect(Collectors.groupingBy(
                        SignerEvidence::signer,
                        java.util.LinkedHashMap::new,
                        Collectors.mapping(SignerEvidence::source, Collectors.toCollection(java.util.TreeSet::new))))
                .entrySet()
                .stream()
                .map(e -> e.getKey() + " (" + String.join(", ", e.getValue()) + ")")
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static String advice(ImageVerdict image, PolicyVerdict verdict) {
        if (image.digest() == null) {
            return "Fix: check the image name and tag, that the registry is reachable, and that the pod's "
                    + "imagePullSecrets grant pull access.";
        }
        List<String> toSign = verdict.outcome().missingRequired().isEmpty()
                ? verdict.outcome().missing()
                : verdict.outcome().missingRequired();
        return "Fix: deploy an image signed by " + (toSign.isEmpty() ? "the policy's signers" : toSign)
                + ", or have them sign " + image.digest()
                + " (GPG: skopeo copy --sign-by; Notary: notary addhash/publish or docker trust sign; cosign: cosign sign"
                + " --key; Notation: notation sign); see docs/policy-reference.md and docs/migrating-from-dct.md.";
    }

    public static String broken(ImageReference image, BrokenPolicy policy) {
        return "image " + image + " is governed by " + policy.id() + ", which failed to load: " + policy.error()
                + ". Images it governs are denied until it is fixed; ask the policy owner to correct it"
                + " (kubectl describe shows the error in its status).";
    }

    public static String unmatched(ImageReference image, String namespace) {
        return "image " + image + " is not governed by any TrustPolicy or ClusterTrustPolicy in namespace "
                + namespace + ", and trustgate denies ungoverned images. Fix: use an image a policy covers, "
                + "or ask a cluster admin to add a policy for " + image.repository() + ".";
    }

    /** Only TrustPolicies of the namespace match the image, and no ClusterTrustPolicy governs or delegates it. */
    public static String onlyNamespaced(ImageReference image, String namespace, List<Policy> namespaced) {
        return "image " + image + " is not governed by any ClusterTrustPolicy in namespace " + namespace + "; "
                + namespaced.stream().map(p -> p.id().toString()).toList() + " can only add requirements to images a "
                + "ClusterTrustPolicy governs, and trustgate denies ungoverned images. Fix: use an image a "
                + "ClusterTrustPolicy covers, or ask a cluster admin to govern " + image.repository()
                + " or to delegate it to namespaces (spec.allowNamespacedPolicies).";
    }

    public static String invalidReference(String reference, String reason) {
        return reason + ". Fix: use a reference such as registry.example.com/team/app:1.0 or "
                + "registry.example.com/team/app@sha256:<64 hex digits>.";
    }

    public static String missingImage(List<String> containers) {
        return "containers " + containers + " have no image.";
    }
}
