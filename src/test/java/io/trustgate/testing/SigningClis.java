package io.trustgate.testing;

import java.nio.file.Path;

/**
 * The three registry-borne signers the format tests and the bench sign with: the real cosign v2 ({@code .sig} tag),
 * cosign v3 (Sigstore bundles) and notation, each with its own directory under one work directory.
 */
public record SigningClis(CosignCli cosign2, CosignCli cosign3, NotationCli notation) {

    /** Builds (once, cached) or finds the three tools; their keys go under {@code work}/cosign2, cosign3, notation. */
    public static SigningClis create(Path work) {
        return new SigningClis(
                CosignCli.create(CosignCli.Version.V2, work.resolve("cosign2")),
                CosignCli.create(CosignCli.Version.V3, work.resolve("cosign3")),
                NotationCli.create(work.resolve("notation")));
    }
}
