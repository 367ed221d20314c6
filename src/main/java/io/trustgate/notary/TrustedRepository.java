package io.trustgate.notary;

import io.trustgate.tuf.SignedMetadata;
import io.trustgate.tuf.TrustedMetadataSet;
import io.trustgate.tuf.TrustedTargets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The verified trust data of one repository after an update: every valid targets role and what it signs.
 *
 * @param gun            the repository
 * @param referenceTime  the time the update judged expiry at
 * @param roles          every valid targets role, {@code targets} first, then delegations in load order
 * @param expiries       the expiry of every role used, and of the root certificates
 * @param earliestExpiry the earliest of {@code expiries}
 * @param rejectedRoles  delegations left out because their trust data failed, with why (the roles below
 *                       them are left out too); the signers that sign only there do not count
 */
public record TrustedRepository(
        String gun,
        Instant referenceTime,
        List<TrustedTargets> roles,
        List<RoleExpiry> expiries,
        Instant earliestExpiry,
        List<RejectedRole> rejectedRoles) {

    /** Docker resolves a tag from this delegation first, then from {@code targets}. */
    public static final String RELEASES_ROLE = "targets/releases";

    public TrustedRepository {
        roles = List.copyOf(roles);
        expiries = List.copyOf(expiries);
        rejectedRoles = List.copyOf(rejectedRoles);
    }

    /** A repository whose every delegation loaded. */
    public TrustedRepository(
            String gun,
            Instant referenceTime,
            List<TrustedTargets> roles,
            List<RoleExpiry> expiries,
            Instant earliestExpiry) {
        this(gun, referenceTime, roles, expiries, earliestExpiry, List.of());
    }

    /** Summarises a fully loaded set. */
    public static TrustedRepository from(TrustedMetadataSet set) {
        return from(set, List.of());
    }

    /** Summarises a loaded set, some of whose delegations were left out. */
    public static TrustedRepository from(TrustedMetadataSet set, List<RejectedRole> rejected) {
        List<RoleExpiry> expiries = new ArrayList<>();
        expiries.add(
                new RoleExpiry(SignedMetadata.TYPE_ROOT, set.root().metadata().expires()));
        set.rootCertificateExpiry().ifPresent(e -> expiries.add(new RoleExpiry(RoleExpiry.ROOT_CERTIFICATE, e)));
        set.timestamp()
                .ifPresent(t -> expiries.add(new RoleExpiry(
                        SignedMetadata.TYPE_TIMESTAMP, t.metadata().expires())));
        set.snapshot()
                .ifPresent(s -> expiries.add(new RoleExpiry(
                        SignedMetadata.TYPE_SNAPSHOT, s.metadata().expires())));
        set.allTargets().forEach(t -> expiries.add(new RoleExpiry(t.role(), t.expires())));
        Instant earliest = expiries.stream()
                .map(RoleExpiry::expires)
                .min(Comparator.naturalOrder())
                .orElseThrow();
        return new TrustedRepository(set.gun(), set.referenceTime(), set.allTargets(), expiries, earliest, rejected);
    }

    /** The valid role named {@code role}. */
    public Optional<TrustedTargets> role(String role) {
        return roles.stream().filter(r -> r.role().equals(role)).findFirst();
    }

    /** Every valid role's entry for {@code tag}, in role order. */
    public List<SignedTarget> targetsForTag(String tag) {
        List<SignedTarget> out = new ArrayList<>();
        for (TrustedTargets r : roles) {
            var t = r.targets().get(tag);
            if (t != null) {
                t.digest().ifPresent(d -> out.add(new SignedTarget(r.role(), tag, d, t.length())));
            }
        }
        return List.copyOf(out);
    }

    /** Every valid role's targets whose sha256 is {@code digest} ({@code sha256:<hex>}). */
    public List<SignedTarget> targetsForDigest(String digest) {
        String wanted = digest.toLowerCase(Locale.ROOT);
        List<SignedTarget> out = new ArrayList<>();
        for (TrustedTargets r : roles) {
            r.targets()
                    .values()
                    .forEach(t -> t.digest()
                            .filter(wanted::equals)
                            .ifPresent(d -> out.add(new SignedTarget(r.role(), t.name(), d, t.length()))));
        }
        out.sort(Comparator.comparing(SignedTarget::role).thenComparing(SignedTarget::name));
        return List.copyOf(out);
    }

    /** What {@code docker pull} with content trust resolves a tag to: targets/releases first, then targets. */
    public Optional<SignedTarget> dockerTarget(String tag) {
        List<SignedTarget> all = targetsForTag(tag);
        return all.stream()
                .filter(t -> t.role().equals(RELEASES_ROLE))
                .findFirst()
                .or(() -> all.stream()
                        .filter(t -> t.role().equals(SignedMetadata.TYPE_TARGETS))
                        .findFirst());
    }
}
