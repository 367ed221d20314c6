package io.trustgate.tuf;

/**
 * The {@code timestamp} role's metadata: what the current snapshot must hash to.
 *
 * @param metadata the envelope
 * @param snapshot the meta entry for {@code snapshot}
 */
public record TimestampMetadata(SignedMetadata metadata, MetaFile snapshot) {

    /** Parses timestamp metadata. */
    public static TimestampMetadata parse(byte[] raw) {
        String role = SignedMetadata.TYPE_TIMESTAMP;
        SignedMetadata md = SignedMetadata.parse(role, SignedMetadata.TYPE_TIMESTAMP, raw);
        var meta = Fields.object(role, md.signed(), "meta");
        var snap = meta.get(SignedMetadata.TYPE_SNAPSHOT);
        if (snap == null) {
            throw new MalformedMetadataException(role, "no meta for snapshot");
        }
        return new TimestampMetadata(md, MetaFile.parse(role, snap));
    }
}
