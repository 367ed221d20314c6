package io.trustgate.tuf;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * The metadata of one repository (GUN) trusted so far during one update, after python-tuf's
 * {@code TrustedMetadataSet}: it verifies what it is given and does no I/O.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Load order is root (the pinned root, then any rotations) -> timestamp -> snapshot -> targets ->
 *       delegations, each delegation after the role that delegates to it. A method called out of order
 *       throws {@link IllegalStateException}; a verification failure throws a {@link TrustDataException}
 *       and leaves the set as it was.</li>
 *   <li>Everything the set holds is verified: signed at threshold by distinct keys its parent assigns,
 *       its bytes equal (length and hashes) to what its parent commits to, its version not below the
 *       highest version trusted before, and not expired at the reference time.</li>
 *   <li>The first root is trusted only if pinned keys with valid certificates (leaf, CN = GUN, valid at the
 *       reference time) signed it at the root threshold. Intermediate roots of a rotation may be expired
 *       (5.3.5); the final root must not be, and its certificates must be valid: checked when the timestamp
 *       is loaded (5.3.10).</li>
 *   <li>The reference time is fixed when the set is created and used for every expiry check.</li>
 * </ul>
 *
 * <p>Not thread-safe: one update owns a set, and its stages run one after the other.
 */
public final class TrustedMetadataSet {

    private final String gun;
    private final Instant referenceTime;
    private final Limits limits;
    private final Map<String, Long> trustedVersions;
    private RootMetadata root;
    private int rotations;
    private TimestampMetadata timestamp;
    private SnapshotMetadata snapshot;
    private final Map<String, TrustedTargets> targets = new LinkedHashMap<>();
    private Instant rootCertificateExpiry;
    /** Each (signature, key) pair is verified once per set: the root alone is checked three ways. */
    private final SignatureVerifier.Checked checked = new SignatureVerifier.Checked();

    private TrustedMetadataSet(String gun, Instant referenceTime, Limits limits, Map<String, Long> trustedVersions) {
        this.gun = Objects.requireNonNull(gun, "gun");
        this.referenceTime = Objects.requireNonNull(referenceTime, "referenceTime");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.trustedVersions = Map.copyOf(trustedVersions);
    }

    /**
     * Starts from a root that nothing vouches for but the pins: it must be signed at its own root threshold
     * and, at that threshold, by root keys that match a pin and carry a valid certificate for the GUN.
     *
     * @param trustedVersions highest version seen so far per role (rollback protection); may be empty
     */
    public static TrustedMetadataSet fromPinnedRoot(
            String gun,
            byte[] rootBytes,
            RootPins pins,
            Instant referenceTime,
            Limits limits,
            Map<String, Long> trustedVersions) {
        TrustedMetadataSet set = new TrustedMetadataSet(gun, referenceTime, limits, trustedVersions);
        RootMetadata candidate = set.parseRoot(rootBytes);
        RoleKeys rootRole = candidate.roleKeys(SignedMetadata.TYPE_ROOT);
        // 5.2: the root must be signed by a threshold of its own root keys
        SignatureVerifier.verify(candidate.metadata(), rootRole, set.checked);
        // Notary: only leaf certificates for this GUN, valid now, can be root keys
        Map<String, TufKey> certified = set.certifiedRootKeys(candidate);
        // trust pinning: the pinned keys are the trust anchor
        Map<String, TufKey> pinned = new LinkedHashMap<>();
        List<String> pinnedButUnusable = new ArrayList<>();
        rootRole.keys().forEach((id, k) -> {
            if (pins.matches(k)) {
                if (certified.containsKey(id)) {
                    pinned.put(id, k);
                } else {
                    pinnedButUnusable.add(id + " (" + set.certificateProblem(k) + ")");
                }
            }
        });
        List<String> rootIds = List.copyOf(candidate.rootKeyIds());
        if (pinned.isEmpty()) {
            throw new RootPinException(
                    gun,
                    pins.describe(),
                    rootIds,
                    pinnedButUnusable.isEmpty()
                            ? "no root key matches a pin"
                            : "the pinned root keys are unusable: " + pinnedButUnusable);
        }
        try {
            SignatureVerifier.verify(
                    candidate.metadata(),
                    new RoleKeys(SignedMetadata.TYPE_ROOT, pinned, rootRole.threshold()),
                    set.checked);
        } catch (ThresholdNotMetException e) {
            throw new RootPinException(
                    gun, pins.describe(), rootIds, "pinned keys do not meet the root threshold: " + e.getMessage());
        }
        set.root = candidate;
        return set;
    }

    /**
     * Starts from a root this process trusted in an earlier update of the same GUN under the same pins (kept in
     * memory, never read back from anywhere an attacker could write). 5.2 takes the trusted root as given, so
     * this only parses it (size bound and rollback check included): it runs on the thread that asked, an event
     * loop for a new tag of a known repository. Its signatures are verified once, later, by the final-root check
     * (5.3.10) when the timestamp is loaded, at threshold by keys with certificates valid at the reference time,
     * unless a newer root (5.3) replaces it first.
     */
    public static TrustedMetadataSet fromTrustedRoot(
            String gun, byte[] rootBytes, Instant referenceTime, Limits limits, Map<String, Long> trustedVersions) {
        TrustedMetadataSet set = new TrustedMetadataSet(gun, referenceTime, limits, trustedVersions);
        set.root = set.parseRoot(rootBytes);
        return set;
    }

    private RootMetadata parseRoot(byte[] rootBytes) {
        checkSize(SignedMetadata.TYPE_ROOT, rootBytes, limits.maxMetadataBytes());
        RootMetadata candidate = RootMetadata.parse(rootBytes);
        checkRollback(SignedMetadata.TYPE_ROOT, candidate.version());
        return candidate;
    }

    /**
     * Rotates to the next root version ({@code <n+1>.root.json}).
     *
     * @return the new trusted root
     */
    public RootMetadata updateRoot(byte[] raw) {
        if (timestamp != null) {
            throw new IllegalStateException("root cannot change after the timestamp is loaded");
        }
        // 5.3.2: bounded number of rotations and bounded size
        if (rotations >= limits.maxRootRotations()) {
            throw new LimitExceededException(SignedMetadata.TYPE_ROOT, "root rotations", limits.maxRootRotations());
        }
        checkSize(SignedMetadata.TYPE_ROOT, raw, limits.maxMetadataBytes());
        RootMetadata next = RootMetadata.parse(raw);
        // 5.3.3: signed by a threshold of the trusted root's root keys and of the new root's own root keys
        SignatureVerifier.verify(next.metadata(), root.roleKeys(SignedMetadata.TYPE_ROOT), checked);
        SignatureVerifier.verify(next.metadata(), next.roleKeys(SignedMetadata.TYPE_ROOT), checked);
        // 5.3.4: the version is exactly one more than the trusted root's
        if (next.version() != root.version() + 1) {
            throw new VersionMismatchException(SignedMetadata.TYPE_ROOT, root.version() + 1, next.version());
        }
        // 5.3.5: an intermediate root may be expired; only the final root is checked (see updateTimestamp)
        root = next;
        rotations++;
        return root;
    }

    /** Verifies and loads {@code timestamp.json}; first checks that the final root is usable. */
    public TimestampMetadata updateTimestamp(byte[] raw) {
        if (timestamp != null) {
            throw new IllegalStateException("timestamp already loaded");
        }
        checkFinalRoot();
        String role = SignedMetadata.TYPE_TIMESTAMP;
        // 5.4.1: bounded size
        checkSize(role, raw, limits.maxMetadataBytes());
        TimestampMetadata next = TimestampMetadata.parse(raw);
        // 5.4.2: signed by a threshold of the timestamp keys from root
        SignatureVerifier.verify(next.metadata(), root.roleKeys(role), checked);
        // 5.4.3.1: the timestamp version must not go back
        checkRollback(role, next.metadata().version());
        // 5.4.3.2: nor the snapshot version it names, when it names one (Notary's meta names none)
        if (next.snapshot().version() != null) {
            checkRollback(SignedMetadata.TYPE_SNAPSHOT, next.snapshot().version());
        }
        // 5.4.4: freeze attack
        next.metadata().checkNotExpired(referenceTime);
        timestamp = next;
        return next;
    }

    private void checkFinalRoot() {
        // 5.3.10: the final root must not be expired
        root.metadata().checkNotExpired(referenceTime);
        // Notary: the root in use must be signed at threshold by keys with valid certificates for the GUN
        Map<String, TufKey> certified = certifiedRootKeys(root);
        List<TufKey> signers = SignatureVerifier.verify(
                root.metadata(),
                new RoleKeys(
                        SignedMetadata.TYPE_ROOT,
                        certified,
                        root.roleKeys(SignedMetadata.TYPE_ROOT).threshold()),
                checked);
        rootCertificateExpiry = signers.stream()
                .map(k -> k.certificate().orElseThrow().getNotAfter().toInstant())
                .min(Instant::compareTo)
                .orElseThrow();
    }

    /** Verifies and loads {@code snapshot.json} against the timestamp. */
    public SnapshotMetadata updateSnapshot(byte[] raw) {
        if (timestamp == null || snapshot != null) {
            throw new IllegalStateException("snapshot must be loaded once, after the timestamp");
        }
        String role = SignedMetadata.TYPE_SNAPSHOT;
        MetaFile meta = timestamp.snapshot();
        // 5.5.1: bounded by the length the timestamp gives
        checkSize(role, raw, limits.maxMetadataBytes());
        // 5.5.2: byte-exact length and hashes from the timestamp (mix-and-match protection)
        meta.verify(role, raw);
        SnapshotMetadata next = SnapshotMetadata.parse(raw);
        // 5.5.3: signed by a threshold of the snapshot keys from root
        SignatureVerifier.verify(next.metadata(), root.roleKeys(role), checked);
        // 5.5.4: the version the timestamp names, if it names one
        meta.verifyVersion(role, next.metadata().version());
        // 5.5.5: the snapshot version must not go back
        checkRollback(role, next.metadata().version());
        // 5.5.6: freeze attack
        next.metadata().checkNotExpired(referenceTime);
        // Notary: the snapshot also commits to root.json; the root in use must be that file
        next.metaFor(SignedMetadata.TYPE_ROOT)
                .ifPresent(
                        m -> m.verify(SignedMetadata.TYPE_ROOT, root.metadata().raw()));
        snapshot = next;
        return next;
    }

    /** Verifies and loads the top-level {@code targets.json} against the snapshot. */
    public TrustedTargets updateTargets(byte[] raw) {
        if (snapshot == null || targets.containsKey(SignedMetadata.TYPE_TARGETS)) {
            throw new IllegalStateException("targets must be loaded once, after the snapshot");
        }
        String role = SignedMetadata.TYPE_TARGETS;
        VerifiedTargets v = verifyTargets(role, raw, root.roleKeys(role));
        TrustedTargets trusted = new TrustedTargets(
                role, v.metadata(), v.signers(), List.of(), v.metadata().targets());
        targets.put(role, trusted);
        return trusted;
    }

    /**
     * Verifies and loads a delegated targets role against the snapshot and the keys its parent assigns.
     * Only targets inside the paths of every delegation from {@code targets} down to the role are kept.
     */
    public TrustedTargets updateDelegatedTargets(String role, String parent, byte[] raw) {
        TrustedTargets parentRole = targets.get(parent);
        if (parentRole == null) {
            throw new IllegalStateException(parent + " must be loaded before its delegation " + role);
        }
        if (targets.containsKey(role)) {
            throw new IllegalStateException(role + " is already loaded");
        }
        // bounded walk of delegations
        if (targets.size() - 1 >= limits.maxDelegations()) {
            throw new LimitExceededException(role, "delegations", limits.maxDelegations());
        }
        DelegatedRole delegation = parentRole
                .metadata()
                .delegation(role)
                .orElseThrow(() -> new MalformedMetadataException(parent, "declares no delegation " + role));
        RoleKeys keys = parentRole.metadata().delegationKeys(role);
        VerifiedTargets v = verifyTargets(role, raw, keys);
        List<DelegatedRole> chain = new ArrayList<>(parentRole.chain());
        chain.add(delegation);
        // 5.6.7.2: a delegated role may sign only the paths every delegation above it allows
        Map<String, TargetFile> allowed = new LinkedHashMap<>();
        v.metadata().targets().forEach((path, t) -> {
            if (chain.stream().allMatch(d -> d.allows(path))) {
                allowed.put(path, t);
            }
        });
        TrustedTargets trusted = new TrustedTargets(role, v.metadata(), v.signers(), chain, allowed);
        targets.put(role, trusted);
        return trusted;
    }

    private record VerifiedTargets(TargetsMetadata metadata, List<TufKey> signers) {}

    private VerifiedTargets verifyTargets(String role, byte[] raw, RoleKeys keys) {
        MetaFile meta = snapshot.metaFor(role)
                .orElseThrow(() ->
                        new MalformedMetadataException(SignedMetadata.TYPE_SNAPSHOT, "lists no meta for " + role));
        // 5.6.1: bounded size
        checkSize(role, raw, limits.maxMetadataBytes());
        // 5.6.2: byte-exact length and hashes from the snapshot
        meta.verify(role, raw);
        TargetsMetadata next = TargetsMetadata.parse(role, raw);
        // 5.6.3: signed by a threshold of the keys the parent (root, or the delegating role) assigns
        List<TufKey> signers = SignatureVerifier.verify(next.metadata(), keys, checked);
        // 5.6.4: the version the snapshot names, if it names one
        meta.verifyVersion(role, next.metadata().version());
        // rollback of each targets role across updates
        checkRollback(role, next.metadata().version());
        // 5.6.5: freeze attack
        next.metadata().checkNotExpired(referenceTime);
        return new VerifiedTargets(next, signers);
    }

    /** The most bytes to fetch for {@code role}: the length its parent commits to, else the general limit. */
    public long maxBytes(String role) {
        if (role.equals(SignedMetadata.TYPE_SNAPSHOT) && timestamp != null) {
            return timestamp.snapshot().maxBytes(limits);
        }
        if (snapshot != null) {
            Optional<MetaFile> meta = snapshot.metaFor(role);
            if (meta.isPresent()) {
                return meta.get().maxBytes(limits);
            }
        }
        return limits.maxMetadataBytes();
    }

    /** Whether the trusted snapshot lists {@code role} (Notary publishes every delegation it serves). */
    public boolean isListedInSnapshot(String role) {
        if (snapshot == null) {
            throw new IllegalStateException("snapshot not loaded");
        }
        return snapshot.metaFor(role).isPresent();
    }

    private Map<String, TufKey> certifiedRootKeys(RootMetadata candidate) {
        Map<String, TufKey> certified = new LinkedHashMap<>();
        Map<String, String> problems = new LinkedHashMap<>();
        candidate.roleKeys(SignedMetadata.TYPE_ROOT).keys().forEach((id, k) -> {
            String problem = certificateProblem(k);
            if (problem == null) {
                certified.put(id, k);
            } else {
                problems.put(id, problem);
            }
        });
        if (certified.isEmpty()) {
            throw new RootCertificateException(gun, problems);
        }
        return certified;
    }

    private String certificateProblem(TufKey key) {
        if (key.certificate().isEmpty()) {
            return "a " + key.keyType() + " key has no certificate (Notary root keys are x509)";
        }
        X509Certificate cert = key.certificate().get();
        if (cert.getBasicConstraints() >= 0) {
            return "certificate is a CA certificate, not a leaf";
        }
        String cn = commonName(cert);
        if (!gun.equals(cn)) {
            return "certificate CN " + cn + " is not the GUN " + gun;
        }
        Instant notBefore = cert.getNotBefore().toInstant();
        Instant notAfter = cert.getNotAfter().toInstant();
        if (referenceTime.isBefore(notBefore)) {
            return "certificate not valid before " + notBefore + " (reference time " + referenceTime + ")";
        }
        if (referenceTime.isAfter(notAfter)) {
            return "certificate expired at " + notAfter + " (reference time " + referenceTime + ")";
        }
        return null;
    }

    private static String commonName(X509Certificate cert) {
        RDN[] cns = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded())
                .getRDNs(BCStyle.CN);
        return cns.length == 1 ? IETFUtils.valueToString(cns[0].getFirst().getValue()) : null;
    }

    private void checkSize(String role, byte[] raw, long max) {
        if (raw.length > max) {
            throw new OversizeMetadataException(role, max, raw.length);
        }
    }

    private void checkRollback(String role, long version) {
        Long trusted = trustedVersions.get(role);
        if (trusted != null && version < trusted) {
            throw new RollbackException(role, trusted, version);
        }
    }

    public String gun() {
        return gun;
    }

    public Instant referenceTime() {
        return referenceTime;
    }

    public RootMetadata root() {
        return root;
    }

    public Optional<TimestampMetadata> timestamp() {
        return Optional.ofNullable(timestamp);
    }

    public Optional<SnapshotMetadata> snapshot() {
        return Optional.ofNullable(snapshot);
    }

    public Optional<TrustedTargets> targets(String role) {
        return Optional.ofNullable(targets.get(role));
    }

    /** Every loaded targets role, {@code targets} first, then delegations in load order. */
    public List<TrustedTargets> allTargets() {
        return List.copyOf(targets.values());
    }

    /** The earliest expiry among the certificates of the root keys that signed the final root. */
    public Optional<Instant> rootCertificateExpiry() {
        return Optional.ofNullable(rootCertificateExpiry);
    }

    /** How many signatures this set verified cryptographically (each signature and key once). */
    public int signatureChecks() {
        return checked.performed();
    }

    /** The version of every loaded role, for the caller to remember as the highest seen. */
    public Map<String, Long> versions() {
        Map<String, Long> v = new LinkedHashMap<>();
        v.put(SignedMetadata.TYPE_ROOT, root.version());
        if (timestamp != null) {
            v.put(SignedMetadata.TYPE_TIMESTAMP, timestamp.metadata().version());
        }
        if (snapshot != null) {
            v.put(SignedMetadata.TYPE_SNAPSHOT, snapshot.metadata().version());
        }
        targets.forEach((name, t) -> v.put(name, t.version()));
        return v;
    }
}
