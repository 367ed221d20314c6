package io.trustgate.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/**
 * What a parent role commits to about a metadata file: its length, hashes and version, each when present.
 *
 * @param length  exact length in bytes, or {@code null}
 * @param hashes  algorithm -> digest
 * @param version exact version, or {@code null} (Notary's meta carries none)
 */
public record MetaFile(Long length, Map<String, byte[]> hashes, Long version) {

    public MetaFile {
        hashes = Map.copyOf(hashes);
    }

    static MetaFile parse(String role, JsonNode node) {
        if (!node.isObject()) {
            throw new MalformedMetadataException(role, "meta entry must be an object");
        }
        return new MetaFile(
                Fields.optionalInteger(role, node, "length"),
                Fields.hashes(role, node),
                Fields.optionalInteger(role, node, "version"));
    }

    /** The size to allow when downloading the file: its length if known, else the general limit. */
    public long maxBytes(Limits limits) {
        return length != null ? Math.min(length, limits.maxMetadataBytes()) : limits.maxMetadataBytes();
    }

    /**
     * Checks the served bytes of {@code role} against this entry: exact length when given, and every hash
     * of a known algorithm byte for byte; at least one known hash is required.
     */
    public void verify(String role, byte[] bytes) {
        if (length != null && length != bytes.length) {
            throw new LengthMismatchException(role, length, bytes.length);
        }
        boolean checked = false;
        for (Map.Entry<String, byte[]> e : hashes.entrySet()) {
            Optional<String> algorithm = Digests.jdkAlgorithm(e.getKey());
            if (algorithm.isEmpty()) {
                continue;
            }
            byte[] actual = Digests.digest(algorithm.get(), bytes);
            if (!MessageDigest.isEqual(actual, e.getValue())) {
                throw new HashMismatchException(role, e.getKey(), Digests.hex(e.getValue()), Digests.hex(actual));
            }
            checked = true;
        }
        if (!checked) {
            throw new MalformedMetadataException(role, "parent metadata gives no sha256 or sha512 hash for it");
        }
    }

    /** Checks the version of a verified file against this entry, when the entry names one. */
    public void verifyVersion(String role, long actualVersion) {
        if (version != null && version != actualVersion) {
            throw new VersionMismatchException(role, version, actualVersion);
        }
    }
}
