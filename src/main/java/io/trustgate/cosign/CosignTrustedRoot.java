package io.trustgate.cosign;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.proto.trustroot.v1.TrustedRoot;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A Sigstore trusted root ({@code trusted_root.json}: Fulcio certificate authorities, Rekor transparency-log keys,
 * CT-log keys, each with its validity window) given by a policy, and sigstore-java's verifier built from it.
 *
 * <p>Built from the supplied text alone: no TUF update and no network, at load time or later (sigstore-java's
 * {@code KeylessVerifier} only reaches the network through its public-good TUF defaults, which are never used here).
 *
 * @param verifier sigstore-java's offline verifier for this root
 * @param id {@code sha256:<hex>} of the root's text, its name in evidence and cache keys
 */
public record CosignTrustedRoot(KeylessVerifier verifier, String id) {

    public CosignTrustedRoot {
        Objects.requireNonNull(verifier, "verifier");
        Objects.requireNonNull(id, "id");
    }

    /** Parses a {@code trusted_root.json} (the Sigstore protobuf-specs JSON form). */
    public static CosignTrustedRoot parse(String json) throws InvalidTrustedRootException {
        if (json == null || json.isBlank()) {
            throw new InvalidTrustedRootException("the trusted root is empty", null);
        }
        if (json.length() > CosignLimits.MAX_TRUSTED_ROOT_CHARS) {
            throw new InvalidTrustedRootException(
                    "the trusted root has " + json.length() + " characters, more than the limit of "
                            + CosignLimits.MAX_TRUSTED_ROOT_CHARS,
                    null);
        }
        TrustedRoot.Builder proto = TrustedRoot.newBuilder();
        try {
            JsonFormat.parser().merge(json, proto);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new InvalidTrustedRootException("not a Sigstore trusted_root.json: " + e.getMessage(), e);
        }
        SigstoreTrustedRoot root;
        try {
            root = SigstoreTrustedRoot.from(proto.build());
        } catch (Exception e) {
            throw new InvalidTrustedRootException(
                    "the trusted root's certificates cannot be read: " + e.getMessage(), e);
        }
        if (root.getCAs().isEmpty() || root.getTLogs().isEmpty()) {
            throw new InvalidTrustedRootException(
                    "the trusted root names no certificate authority or no transparency log", null);
        }
        KeylessVerifier verifier;
        try {
            verifier = KeylessVerifier.builder().trustedRootProvider(() -> root).build();
        } catch (Exception e) {
            throw new InvalidTrustedRootException("the trusted root's keys cannot be used: " + e.getMessage(), e);
        }
        return new CosignTrustedRoot(verifier, "sha256:" + sha256Hex(json));
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    @Override
    public String toString() {
        return "trusted root " + id;
    }
}
