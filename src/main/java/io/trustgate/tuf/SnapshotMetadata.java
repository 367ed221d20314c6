package io.trustgate.tuf;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code snapshot} role's metadata: what root, targets and each delegated role must hash to.
 *
 * @param metadata the envelope
 * @param meta     role name -> meta entry ({@code root}, {@code targets}, {@code targets/releases}...)
 */
public record SnapshotMetadata(SignedMetadata metadata, Map<String, MetaFile> meta) {

    /** Parses snapshot metadata. */
    public static SnapshotMetadata parse(byte[] raw) {
        String role = SignedMetadata.TYPE_SNAPSHOT;
        SignedMetadata md = SignedMetadata.parse(role, SignedMetadata.TYPE_SNAPSHOT, raw);
        Map<String, MetaFile> meta = new LinkedHashMap<>();
        Fields.object(role, md.signed(), "meta")
                .fields()
                .forEachRemaining(e -> meta.put(e.getKey(), MetaFile.parse(role, e.getValue())));
        if (!meta.containsKey(SignedMetadata.TYPE_TARGETS)) {
            throw new MalformedMetadataException(role, "no meta for targets");
        }
        return new SnapshotMetadata(md, Map.copyOf(meta));
    }

    /** The meta entry for a role, if the snapshot lists it. */
    public Optional<MetaFile> metaFor(String role) {
        return Optional.ofNullable(meta.get(role));
    }
}
