package io.trustgate.registry;

import java.util.Objects;

/**
 * What the registry says a reference points to.
 *
 * @param digest {@code sha256:<hex>} (or {@code sha512:<hex>}) of the manifest bytes
 * @param mediaType the manifest's media type (e.g. {@link MediaTypes#OCI_INDEX}), or {@code null} when the
 *     registry sent no {@code Content-Type}
 * @param size manifest length in bytes, or {@code -1} when the registry did not say
 */
public record ManifestDescriptor(String digest, String mediaType, long size) {

    public ManifestDescriptor {
        Objects.requireNonNull(digest, "digest");
    }

    /** Whether this is a multi-platform index (OCI index or Docker manifest list). */
    public boolean isIndex() {
        return MediaTypes.OCI_INDEX.equals(mediaType) || MediaTypes.DOCKER_MANIFEST_LIST.equals(mediaType);
    }
}
