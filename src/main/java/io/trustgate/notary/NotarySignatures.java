package io.trustgate.notary;

import io.trustgate.tuf.KeyPin;
import io.trustgate.tuf.TrustedTargets;
import io.trustgate.tuf.TufKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** Maps verified trust data to the policy's signers: who signed the image's digest, and through which role. */
public final class NotarySignatures {

    private NotarySignatures() {}

    /**
     * A signer signed when a valid role lists the tag (or, for a digest reference, any target) with
     * sha256 equal to the resolved digest, that role's metadata carries a valid signature by one of the
     * signer's keys, and the signer accepts the role (its roles are empty or name it). The repository
     * targets role counts for a signer holding the targets key.
     *
     * @param tag            the tag, or {@code null} for a digest reference
     * @param resolvedDigest {@code sha256:<hex>} as the registry resolved it
     */
    public static NotaryEvidence evaluate(
            TrustedRepository repository, String tag, String resolvedDigest, List<NotarySigner> signers) {
        return evaluatePinned(repository, tag, resolvedDigest, pin(signers));
    }

    /**
     * The signers with their keys parsed, done once per policy version rather than per review.
     *
     * @throws io.trustgate.tuf.InvalidPinException when a key does not parse
     */
    public static List<PinnedSigner> pin(List<NotarySigner> signers) {
        return signers.stream()
                .map(s ->
                        new PinnedSigner(s, s.keys().stream().map(KeyPin::parse).toList()))
                .toList();
    }

    /** {@link #evaluate} with the signers' keys already parsed ({@link #pin}). */
    public static NotaryEvidence evaluatePinned(
            TrustedRepository repository, String tag, String resolvedDigest, List<PinnedSigner> parsed) {
        Objects.requireNonNull(resolvedDigest, "resolvedDigest");
        String digest = resolvedDigest.toLowerCase(Locale.ROOT);
        List<NotaryEvidence.SignerMatch> matches = new ArrayList<>();
        List<NotaryEvidence.DigestMismatch> mismatches = new ArrayList<>();
        List<SignedTarget> candidates =
                tag != null ? repository.targetsForTag(tag) : repository.targetsForDigest(digest);
        for (SignedTarget target : candidates) {
            if (!target.digest().equals(digest)) {
                mismatches.add(
                        new NotaryEvidence.DigestMismatch(target.role(), target.name(), target.digest(), digest));
                continue;
            }
            TrustedTargets role = repository.role(target.role()).orElseThrow();
            for (PinnedSigner signer : parsed) {
                if (!signer.signer().roles().isEmpty()
                        && !signer.signer().roles().contains(role.role())) {
                    continue;
                }
                signer.keyIn(role.signingKeys())
                        .ifPresent(key -> matches.add(new NotaryEvidence.SignerMatch(
                                signer.signer().name(), role.role(), target.name(), digest, key.keyId())));
            }
        }
        return new NotaryEvidence(repository.gun(), tag, digest, matches, mismatches);
    }

    /** A policy signer and its Notary keys, parsed. */
    public record PinnedSigner(NotarySigner signer, List<KeyPin> pins) {
        public PinnedSigner {
            pins = List.copyOf(pins);
        }

        /** The first of {@code keys} that one of this signer's pins matches. */
        public Optional<TufKey> keyIn(List<TufKey> keys) {
            return keys.stream()
                    .filter(k -> pins.stream().anyMatch(p -> p.matches(k)))
                    .findFirst();
        }
    }
}
