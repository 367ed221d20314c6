package io.trustgate.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.trustgate.cosign.CertificateIdentity;
import io.trustgate.cosign.CosignTrustedRoot;
import io.trustgate.cosign.InvalidIdentityException;
import io.trustgate.cosign.InvalidTrustedRootException;
import io.trustgate.image.ImageReference;
import io.trustgate.image.InvalidImageReferenceException;
import io.trustgate.k8s.crd.ClusterTrustPolicy;
import io.trustgate.k8s.crd.ClusterTrustPolicySpec;
import io.trustgate.k8s.crd.CosignSpec;
import io.trustgate.k8s.crd.ExceptionsSpec;
import io.trustgate.k8s.crd.SignerSpec;
import io.trustgate.k8s.crd.TrustPolicy;
import io.trustgate.k8s.crd.TrustPolicySpec;
import io.trustgate.notation.NotationLimits;
import io.trustgate.notation.TrustedIdentity;
import io.trustgate.pgp.InvalidSignedIdentityException;
import io.trustgate.pgp.SignedIdentity;
import io.trustgate.policy.BrokenPolicy;
import io.trustgate.policy.CosignConfig;
import io.trustgate.policy.ExemptionRule;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.InvalidPolicyException;
import io.trustgate.policy.KeylessIdentity;
import io.trustgate.policy.LabelSelector;
import io.trustgate.policy.Mode;
import io.trustgate.policy.NamespacedUrls;
import io.trustgate.policy.NotaryConfig;
import io.trustgate.policy.NotationConfig;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.policy.SignerLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns TrustPolicy and ClusterTrustPolicy objects into compiled {@link Policy} values, checking
 * everything once at load time: patterns, selectors, signer names, thresholds and keys. A policy that
 * does not compile becomes a {@link BrokenPolicy} that denies what it claims.
 */
public final class PolicyCompiler {

    /** Reads one key of one Secret, for {@code keysFrom}. */
    @FunctionalInterface
    public interface SecretLookup {
        SecretLookup NONE = (namespace, name, key) -> Optional.empty();

        Optional<String> get(String namespace, String name, String key);
    }

    /** Parses one signer key as the signature source that will use it; throws when it is unusable. */
    @FunctionalInterface
    public interface KeyCheck {
        KeyCheck STRUCTURAL = PolicyCompiler::structuralKeyCheck;

        void check(String signer, String key) throws InvalidPolicyException;

        /**
         * Checks one signer's keys together, after each passed {@link #check} (e.g. the OpenPGP keys a signer's
         * blocks hold between them). Its message must not quote the keys: they may come from a Secret.
         */
        default void checkSigner(String signer, List<String> keys) throws InvalidPolicyException {}
    }

    /** A compiled policy or the reason it is broken. */
    public record Result(Policy policy, BrokenPolicy broken) {
        public boolean ok() {
            return policy != null;
        }
    }

    private final SecretLookup secrets;
    private final String clusterSecretNamespace;
    private final KeyCheck keyCheck;
    private final NamespacedUrls namespacedUrls;

    /**
     * @param clusterSecretNamespace where ClusterTrustPolicy {@code keysFrom} Secrets live (trustgate's own)
     */
    public PolicyCompiler(SecretLookup secrets, String clusterSecretNamespace, KeyCheck keyCheck) {
        this(secrets, clusterSecretNamespace, keyCheck, NamespacedUrls.DEFAULT);
    }

    /**
     * @param namespacedUrls which lookaside and Notary URLs a TrustPolicy may name; one naming another is broken
     */
    public PolicyCompiler(
            SecretLookup secrets, String clusterSecretNamespace, KeyCheck keyCheck, NamespacedUrls namespacedUrls) {
        this.secrets = secrets;
        this.clusterSecretNamespace = clusterSecretNamespace;
        this.keyCheck = keyCheck;
        this.namespacedUrls = namespacedUrls;
    }

    public Result compile(HasMetadata resource) {
        PolicyId id = idOf(resource);
        TrustPolicySpec spec =
                resource instanceof ClusterTrustPolicy c ? c.getSpec() : ((TrustPolicy) resource).getSpec();
        io.fabric8.kubernetes.api.model.LabelSelector rawSelector =
                spec instanceof ClusterTrustPolicySpec c ? c.namespaceSelector : null;
        List<ImagePattern> claimed = new ArrayList<>();
        LabelSelector selector = null;
        try {
            if (spec == null) {
                throw new InvalidPolicyException("the policy has no spec");
            }
            selector = selector(rawSelector);
            for (String p : spec.images == null ? List.<String>of() : spec.images) {
                claimed.add(ImagePattern.compile(p));
            }
            Policy policy = compile(id, resource, spec, selector, claimed);
            return new Result(policy, null);
        } catch (InvalidPolicyException e) {
            // A broken policy keeps the mode it asks for: in Warn or Audit it warns or records instead of denying.
            Mode mode = spec == null || spec.mode == null ? Mode.Enforce : spec.mode;
            return new Result(null, new BrokenPolicy(id, claimed, selector, e.getMessage(), mode));
        }
    }

    private Policy compile(
            PolicyId id, HasMetadata resource, TrustPolicySpec spec, LabelSelector selector, List<ImagePattern> images)
            throws InvalidPolicyException {
        if (images.isEmpty()) {
            throw new InvalidPolicyException("images must list at least one pattern");
        }
        if (spec.signers == null || spec.signers.isEmpty()) {
            throw new InvalidPolicyException("signers must name at least one signer");
        }
        String secretNamespace = id.isCluster() ? clusterSecretNamespace : id.namespace();
        List<Signer> signers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (SignerSpec s : spec.signers) {
            signers.add(signer(s, secretNamespace, names));
        }
        int min = spec.minSignatures == null ? 1 : spec.minSignatures;
        if (min < 1) {
            throw new InvalidPolicyException("minSignatures must be at least 1, got " + min);
        }
        if (min > signers.size()) {
            throw new InvalidPolicyException("minSignatures is " + min + " but only " + signers.size()
                    + " signers are named, so no image could ever be admitted");
        }
        List<String> required =
                spec.requiredSigners == null ? List.of() : List.copyOf(new LinkedHashSet<>(spec.requiredSigners));
        for (String r : required) {
            if (!names.contains(r)) {
                throw new InvalidPolicyException("requiredSigners names \"" + r + "\", which is not among the signers "
                        + signers.stream().map(Signer::name).toList());
            }
        }
        NotaryConfig notary = spec.notary == null
                ? null
                : new NotaryConfig(
                        blankToNull(spec.notary.server),
                        blankToNull(spec.notary.caBundle),
                        spec.notary.rootKeys == null ? List.of() : spec.notary.rootKeys);
        String lookaside = blankToNull(spec.lookaside);
        if (lookaside != null
                && !(lookaside.startsWith("https://")
                        || lookaside.startsWith("http://")
                        || lookaside.startsWith("file://"))) {
            throw new InvalidPolicyException(
                    "lookaside must be an https://, http:// or file:// URL, got \"" + lookaside + "\"");
        }
        for (Signer s : signers) {
            if (!s.pgpKeys().isEmpty() && lookaside == null) {
                throw new InvalidPolicyException("signer \"" + s.name() + "\" has OpenPGP keys but the policy has no "
                        + "lookaside to find GPG signatures in");
            }
            if (!s.identities().isEmpty() && (spec.cosign == null)) {
                throw new InvalidPolicyException(
                        "signer \"" + s.name() + "\" has keyless identities but the policy has no "
                                + "cosign section (with a trustedRoot) to verify them with");
            }
            if (!s.notaryKeys().isEmpty() && notary == null && spec.cosign == null && spec.notation == null) {
                throw new InvalidPolicyException("signer \"" + s.name() + "\" has PEM keys or key ids (Notary or "
                        + "cosign keys) or certificates (Notation trust anchors) but the policy has no notary, cosign"
                        + " or notation section");
            }
            if (!s.notationIdentities().isEmpty() && spec.notation == null) {
                throw new InvalidPolicyException("signer \"" + s.name() + "\" has notationIdentities but the policy "
                        + "has no notation section (spec.notation: {})");
            }
        }
        if (notary != null && notary.rootKeys().isEmpty()) {
            throw new InvalidPolicyException("notary.rootKeys must pin at least one root key");
        }
        for (String root : notary == null ? List.<String>of() : notary.rootKeys()) {
            keyCheck.check("notary.rootKeys", root);
        }
        if (!id.isCluster()) {
            // A tenant must not point trustgate at the node, its pod network or the cloud metadata service.
            if (lookaside != null) {
                namespacedUrls.check("lookaside", lookaside);
            }
            if (notary != null && notary.server() != null) {
                namespacedUrls.check("notary.server", notary.server());
            }
        }
        List<ImagePattern> delegated = new ArrayList<>();
        if (spec instanceof ClusterTrustPolicySpec c && c.allowNamespacedPolicies != null) {
            for (String p : c.allowNamespacedPolicies) {
                try {
                    delegated.add(ImagePattern.compile(p));
                } catch (InvalidPolicyException e) {
                    throw new InvalidPolicyException("allowNamespacedPolicies: " + e.getMessage(), e);
                }
            }
        }
        CosignConfig cosign = spec.cosign == null
                ? null
                : new CosignConfig(cosignRepository(spec.cosign.repository), trustedRoot(spec.cosign, secretNamespace));
        if (signers.stream().anyMatch(sg -> !sg.identities().isEmpty())
                && (cosign == null || cosign.trustedRoot() == null)) {
            throw new InvalidPolicyException("signers list keyless identities but cosign.trustedRoot (or "
                    + "cosign.trustedRootFrom) gives no Sigstore trusted root to verify them against");
        }
        Mode mode = spec.mode == null ? Mode.Enforce : spec.mode;
        SignedIdentity identity;
        try {
            identity = SignedIdentity.parse(spec.signedIdentity == null ? null : spec.signedIdentity.name());
        } catch (InvalidSignedIdentityException e) {
            throw new InvalidPolicyException(e.getMessage(), e);
        }
        String uid = Optional.ofNullable(resource.getMetadata().getUid()).orElse(id.toString());
        String version =
                Optional.ofNullable(resource.getMetadata().getResourceVersion()).orElse("0");
        // The key fingerprint covers keysFrom contents, which change without a new resourceVersion.
        return new Policy(
                id,
                uid,
                version,
                mode,
                selector == null ? LabelSelector.EVERYTHING : selector,
                images,
                notary,
                lookaside,
                signers,
                min,
                required,
                identity,
                Policy.keyFingerprint(signers, notary, cosign),
                delegated,
                cosign,
                spec.notation == null ? null : new NotationConfig(),
                exemptions(spec.exceptions));
    }

    /** {@code spec.exceptions}: absent means no TrustException may waive the policy. */
    private static ExemptionRule exemptions(ExceptionsSpec spec) throws InvalidPolicyException {
        if (spec == null) {
            return ExemptionRule.NONE;
        }
        Duration max = null;
        if (spec.maxDuration != null && !spec.maxDuration.isBlank()) {
            max = duration(spec.maxDuration.strip());
        }
        return new ExemptionRule(Boolean.TRUE.equals(spec.allow), max);
    }

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,6})(s|m|h|d)");

    /** {@code 45s}, {@code 90m}, {@code 72h}, {@code 7d}. */
    private static Duration duration(String text) throws InvalidPolicyException {
        java.util.regex.Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new InvalidPolicyException(
                    "exceptions.maxDuration \"" + text + "\" is not a duration such as 72h or 7d");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.isZero()) {
            throw new InvalidPolicyException(
                    "exceptions.maxDuration must be above zero; to forbid exceptions, " + "leave out exceptions.allow");
        }
        return d;
    }

    /** {@code spec.cosign.trustedRoot} or the Secret {@code trustedRootFrom} names, parsed once to check it. */
    private String trustedRoot(CosignSpec spec, String secretNamespace) throws InvalidPolicyException {
        String inline = blankToNull(spec.trustedRoot);
        boolean fromSecret = spec.trustedRootFrom != null && spec.trustedRootFrom.secretKeyRef != null;
        if (inline != null && fromSecret) {
            throw new InvalidPolicyException("cosign: give trustedRoot or trustedRootFrom, not both");
        }
        String root = inline;
        String where = "cosign.trustedRoot";
        if (fromSecret) {
            SignerSpec.SecretKeyRef ref = spec.trustedRootFrom.secretKeyRef;
            where = "cosign.trustedRootFrom: Secret " + secretNamespace + "/" + ref.name + " key \"" + ref.key + "\"";
            String finalWhere = where;
            root = secrets.get(secretNamespace, ref.name, ref.key)
                    .orElseThrow(() -> new InvalidPolicyException(finalWhere + " does not exist"));
        }
        if (root == null) {
            return null;
        }
        try {
            CosignTrustedRoot.parse(root);
        } catch (InvalidTrustedRootException e) {
            // The parser's message names the structure, never the root's content (public keys, but kept short).
            throw new InvalidPolicyException(where + " is not a usable Sigstore trusted root: " + e.getMessage());
        }
        return root;
    }

    /** {@code spec.cosign.repository}: a repository name without tag or digest, or {@code null}. */
    private static String cosignRepository(String repository) throws InvalidPolicyException {
        String value = blankToNull(repository);
        if (value == null) {
            return null;
        }
        try {
            ImageReference parsed = ImageReference.parse(value);
            if (parsed.digest() != null
                    || value.substring(value.lastIndexOf('/') + 1).contains(":")) {
                throw new InvalidPolicyException(
                        "cosign.repository must name a repository without tag or digest, got \"" + value + "\"");
            }
            return value;
        } catch (InvalidImageReferenceException e) {
            throw new InvalidPolicyException("cosign.repository: " + e.getMessage(), e);
        }
    }

    private Signer signer(SignerSpec s, String secretNamespace, Set<String> names) throws InvalidPolicyException {
        if (s.name == null || s.name.isBlank()) {
            throw new InvalidPolicyException("a signer has no name");
        }
        if (!names.add(s.name)) {
            throw new InvalidPolicyException("signer \"" + s.name + "\" is named twice");
        }
        List<String> keys = new ArrayList<>();
        if (s.keys != null) {
            keys.addAll(
                    s.keys.stream().map(String::strip).filter(k -> !k.isEmpty()).toList());
        }
        for (String k : keys) {
            keyCheck.check(s.name, k);
        }
        if (s.keysFrom != null && s.keysFrom.secretKeyRef != null) {
            SignerSpec.SecretKeyRef ref = s.keysFrom.secretKeyRef;
            String secret = "Secret " + secretNamespace + "/" + ref.name + " key \"" + ref.key + "\"";
            String value = secrets.get(secretNamespace, ref.name, ref.key)
                    .orElseThrow(() -> new InvalidPolicyException("signer \"" + s.name + "\": Secret " + secretNamespace
                            + "/" + ref.name + " has no key \"" + ref.key + "\" (or does not exist)"));
            List<String> fromSecret = splitKeyBlocks(value);
            for (int i = 0; i < fromSecret.size(); i++) {
                try {
                    keyCheck.check(s.name, fromSecret.get(i));
                } catch (InvalidPolicyException e) {
                    // Named by Secret, key and position only: the parser's message (and so the cause, which a
                    // stack trace would print) may quote the Secret's content.
                    throw new InvalidPolicyException("signer \"" + s.name + "\": block " + (i + 1) + " of "
                            + fromSecret.size() + " in " + secret + " is not " + expected(fromSecret.get(i)));
                }
            }
            keys.addAll(fromSecret);
        }
        List<KeylessIdentity> identities = new ArrayList<>();
        for (SignerSpec.Identity identity : s.identities == null ? List.<SignerSpec.Identity>of() : s.identities) {
            try {
                CertificateIdentity.of(identity.issuer, identity.subject, identity.subjectRegExp);
            } catch (InvalidIdentityException e) {
                throw new InvalidPolicyException(
                        "signer \"" + s.name + "\": identity " + (identities.size() + 1) + ": " + e.getMessage());
            }
            identities.add(new KeylessIdentity(
                    identity.issuer.strip(), blankToNull(identity.subject), blankToNull(identity.subjectRegExp)));
        }
        if (keys.isEmpty() && identities.isEmpty()) {
            throw new InvalidPolicyException(
                    "signer \"" + s.name + "\" has no keys" + (s.identities == null ? "" : " or identities"));
        }
        SignerLimits.check(s.name, keys, identities.size());
        keyCheck.checkSigner(s.name, keys);
        List<String> notationIdentities = s.notationIdentities == null ? List.of() : s.notationIdentities;
        if (notationIdentities.size() > NotationLimits.MAX_IDENTITIES) {
            throw new InvalidPolicyException("signer \"" + s.name + "\" has " + notationIdentities.size()
                    + " notationIdentities, more than " + NotationLimits.MAX_IDENTITIES);
        }
        for (String identity : notationIdentities) {
            try {
                TrustedIdentity.parse(identity);
            } catch (IllegalArgumentException e) {
                throw new InvalidPolicyException("signer \"" + s.name + "\": notationIdentities: " + e.getMessage(), e);
            }
        }
        return new Signer(s.name, keys, s.roles == null ? List.of() : s.roles, identities, notationIdentities);
    }

    /** What a key that failed its check should have been, judged by its armour line only. */
    private static String expected(String key) {
        if (key.startsWith("-----BEGIN PGP ")) {
            return "a valid armoured OpenPGP public key";
        }
        if (key.startsWith("-----BEGIN ")) {
            return "a valid PEM public key or certificate";
        }
        return "an armoured OpenPGP public key, a PEM public key or certificate, or a 64-hex-digit key id";
    }

    private static final Pattern LINE_BREAK = Pattern.compile("\\R");

    /** Splits a Secret value holding several PEM or armoured blocks, or hex key ids one per line. */
    static List<String> splitKeyBlocks(String value) {
        List<String> blocks = new ArrayList<>();
        StringBuilder current = null;
        // -1 keeps trailing empty lines; they are blank outside a block and so skipped, as before.
        for (String line : LINE_BREAK.split(value, -1)) {
            if (current == null) {
                if (line.startsWith("-----BEGIN ")) {
                    current = new StringBuilder(line).append('\n');
                } else if (!line.isBlank()) {
                    blocks.add(line.strip());
                }
            } else {
                current.append(line).append('\n');
                if (line.startsWith("-----END ")) {
                    blocks.add(current.toString());
                    current = null;
                }
            }
        }
        if (current != null) {
            blocks.add(current.toString());
        }
        return blocks;
    }

    private static void structuralKeyCheck(String signer, String key) throws InvalidPolicyException {
        boolean pem = key.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----")
                || key.contains("-----BEGIN PUBLIC KEY-----")
                || key.contains("-----BEGIN CERTIFICATE-----");
        if (!pem && !key.matches("[0-9a-fA-F]{64}")) {
            throw new InvalidPolicyException("signer \"" + signer + "\": a key must be an armoured OpenPGP public key, "
                    + "a PEM public key or certificate, or a 64-hex-digit key id");
        }
    }

    private static LabelSelector selector(io.fabric8.kubernetes.api.model.LabelSelector raw)
            throws InvalidPolicyException {
        if (raw == null) {
            return LabelSelector.EVERYTHING;
        }
        List<LabelSelector.Requirement> requirements = new ArrayList<>();
        for (LabelSelectorRequirement r :
                raw.getMatchExpressions() == null ? List.<LabelSelectorRequirement>of() : raw.getMatchExpressions()) {
            LabelSelector.Operator op = LabelSelector.operator(r.getOperator());
            Set<String> values = r.getValues() == null ? Set.of() : Set.copyOf(r.getValues());
            if ((op == LabelSelector.Operator.In || op == LabelSelector.Operator.NotIn) && values.isEmpty()) {
                throw new InvalidPolicyException(
                        "namespaceSelector: " + op + " on \"" + r.getKey() + "\" needs values");
            }
            requirements.add(new LabelSelector.Requirement(r.getKey(), op, values));
        }
        Map<String, String> labels = raw.getMatchLabels() == null ? Map.of() : raw.getMatchLabels();
        return new LabelSelector(labels, requirements);
    }

    static PolicyId idOf(HasMetadata resource) {
        String name = resource.getMetadata() == null
                ? "<unnamed>"
                : resource.getMetadata().getName();
        if (resource instanceof ClusterTrustPolicy) {
            return PolicyId.cluster(name);
        }
        String ns = resource.getMetadata() == null || resource.getMetadata().getNamespace() == null
                ? "default"
                : resource.getMetadata().getNamespace();
        return PolicyId.namespaced(ns, name);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
