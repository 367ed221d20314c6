package io.trustgate.registry;

import java.util.Map;
import java.util.Objects;

/**
 * One entry of an OCI referrers list: a manifest whose {@code subject} is the image asked about (a Notation
 * signature, a cosign 3.x bundle, an SBOM, ...). Nothing about it is trusted: it only says where to look.
 *
 * @param mediaType the referring manifest's media type (normally {@link MediaTypes#OCI_MANIFEST})
 * @param artifactType the artifact type ({@code application/vnd.cncf.notary.signature} for Notation), or
 *     {@code null} when the entry names none
 * @param digest {@code sha256:<hex>} or {@code sha512:<hex>} of the referring manifest
 * @param size the referring manifest's declared size in bytes
 * @param annotations the entry's string annotations (non-string values are dropped)
 */
public record Referrer(
        String mediaType, String artifactType, String digest, long size, Map<String, String> annotations) {

    public Referrer {
        Objects.requireNonNull(digest, "digest");
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
