package io.trustgate.registry;

import java.util.List;

/** Manifest media types that trustgate asks registries for. */
public final class MediaTypes {

    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json";

    /** Every manifest type accepted, in the order of the {@code Accept} header. */
    public static final List<String> ACCEPTED =
            List.of(OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST_V2);

    /** The {@code Accept} header of a manifest request. */
    public static final String ACCEPT_HEADER = String.join(", ", ACCEPTED);

    private MediaTypes() {}
}
