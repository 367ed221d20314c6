package io.trustgate.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One metadata file as served: the raw bytes, the {@code signed} part (tree and canonical bytes, which is
 * what the signatures cover), the signatures, and the common fields {@code _type}, {@code version},
 * {@code expires}.
 *
 * @param role            the role the file was fetched for
 * @param raw             the bytes exactly as served (hashes and lengths are checked on these)
 * @param signed          the {@code signed} object
 * @param canonicalSigned canonical JSON of {@code signed}
 * @param signatures      the {@code signatures} list
 * @param version         {@code signed.version}
 * @param expires         {@code signed.expires}
 */
public record SignedMetadata(
        String role,
        // raw and canonicalSigned carry bytes from the parser to the signature checks: a carrier, not a value.
        @SuppressWarnings("ArrayRecordComponent") byte[] raw,
        JsonNode signed,
        @SuppressWarnings("ArrayRecordComponent") byte[] canonicalSigned,
        List<Signature> signatures,
        long version,
        Instant expires) {

    public static final String TYPE_ROOT = "root";
    public static final String TYPE_TIMESTAMP = "timestamp";
    public static final String TYPE_SNAPSHOT = "snapshot";
    public static final String TYPE_TARGETS = "targets";

    /**
     * Parses a metadata file for {@code role} and checks its {@code _type} (case-insensitively, as Notary
     * writes {@code Root}, {@code Targets}...).
     */
    public static SignedMetadata parse(String role, String expectedType, byte[] raw) {
        JsonNode root = CanonicalJson.parse(role, raw);
        if (!root.isObject()) {
            throw new MalformedMetadataException(role, "not a JSON object");
        }
        JsonNode signed = Fields.object(role, root, "signed");
        String type = Fields.text(role, signed, "_type");
        if (!type.equalsIgnoreCase(expectedType)) {
            throw new MalformedMetadataException(role, "_type is " + type + ", expected " + expectedType);
        }
        long version = Fields.integer(role, signed, "version");
        if (version < 1) {
            throw new MalformedMetadataException(role, "version " + version + " is below 1");
        }
        Instant expires = Fields.instant(role, signed, "expires");
        JsonNode sigs = root.get("signatures");
        if (sigs == null || !sigs.isArray()) {
            throw new MalformedMetadataException(role, "\"signatures\" must be a list");
        }
        List<Signature> signatures = new ArrayList<>();
        for (JsonNode s : sigs) {
            signatures.add(new Signature(
                    Fields.text(role, s, "keyid"),
                    Fields.text(role, s, "method"),
                    Fields.base64(role, "signature", Fields.text(role, s, "sig"))));
        }
        byte[] canonical;
        try {
            canonical = CanonicalJson.encode(signed);
        } catch (IllegalArgumentException e) {
            throw new MalformedMetadataException(role, e.getMessage(), e);
        }
        return new SignedMetadata(role, raw.clone(), signed, canonical, List.copyOf(signatures), version, expires);
    }

    /** Throws {@link ExpiredMetadataException} unless the metadata is still valid at {@code referenceTime}. */
    public void checkNotExpired(Instant referenceTime) {
        if (!referenceTime.isBefore(expires)) {
            throw new ExpiredMetadataException(role, expires, referenceTime);
        }
    }
}
