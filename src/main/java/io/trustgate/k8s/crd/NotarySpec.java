package io.trustgate.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** Where Notary v1 trust data lives and which root keys it is pinned to. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NotarySpec {

    @JsonPropertyDescription("Notary server URL, e.g. https://notary.example.com. Default: Docker Hub's "
            + "Notary (https://notary.docker.io) for docker.io images.")
    public String server;

    @JsonPropertyDescription("PEM CA certificates the Notary server's certificate must chain to; empty "
            + "means the system trust store.")
    public String caBundle;

    @JsonPropertyDescription("Pinned root keys: PEM public keys, PEM certificates, or hex key ids. The "
            + "repository's root metadata must be signed by these.")
    public List<String> rootKeys;
}
