package io.trustgate.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;

/**
 * A signed target: for Docker Content Trust a tag, whose sha256 is the image manifest digest.
 *
 * @param name   the target path (the tag)
 * @param length length of the manifest in bytes
 * @param hashes algorithm -> digest
 */
public record TargetFile(String name, long length, Map<String, byte[]> hashes) {

    public TargetFile {
        hashes = Map.copyOf(hashes);
    }

    static TargetFile parse(String role, String name, JsonNode node) {
        if (!node.isObject()) {
            throw new MalformedMetadataException(role, "target " + name + " must be an object");
        }
        return new TargetFile(name, Fields.integer(role, node, "length"), Fields.hashes(role, node));
    }

    /** The image digest this target signs, {@code sha256:<hex>}, if the target has a sha256 hash. */
    public Optional<String> digest() {
        byte[] sha256 = hashes.get(Digests.SHA256);
        return sha256 == null ? Optional.empty() : Optional.of(Digests.SHA256 + ":" + Digests.hex(sha256));
    }
}
