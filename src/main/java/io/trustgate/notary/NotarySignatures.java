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
        Objects.requireNonNull(resolvedDigest, "resolvedDigest");
        String digest = resolvedDigest.toLowerCase(Locale.ROOT);
        List<ParsedSigner> parsed = signers.stream()
                .map(s ->
                        new ParsedSigner(s, s.keys().stream().map(KeyPin::parse).toList()))
                .toList();
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
            for (ParsedSigner signer : parsed) {
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

    private record ParsedSigner(NotarySigner signer, List<KeyPin> pins) {
        Optional<TufKey> keyIn(List<TufKey> keys) {
            return keys.stream()
                    .filter(k -> pins.stream().anyMatch(p -> p.matches(k)))
                    .findFirst();
        }
    }
}
