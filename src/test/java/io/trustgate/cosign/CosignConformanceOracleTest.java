package io.trustgate.cosign;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.cosign.CosignCheck.Rejected;
import io.trustgate.testing.CosignCli;
import io.trustgate.testing.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real {@code cosign verify-blob} (3.x) as the oracle on the Sigstore conformance bundles
 * (src/test/resources/cosign/conformance): for every case trustgate's verdict must equal cosign's, offline, with the
 * case's trusted root and identity. Cases cosign cannot judge offline are listed in {@link #COSIGN_CANNOT_JUDGE} with
 * the reason and cosign's own refusal, so a new disagreement, or cosign starting to judge one of them, fails.
 */
class CosignConformanceOracleTest {

    /** What cosign 3.1.3 answers instead of a verdict, and why it cannot give one here. */
    private record NoVerdict(String cosignSays, String why) {}

    /**
     * cosign 3 takes {@code --trusted-root} only for v0.3 bundles ("new bundle format"); the v0.1 and v0.2 bundles
     * would need the live public-good TUF repository (no network here) or the cosign 2 "old bundle" JSON, which these
     * are not. trustgate (sigstore-java) reads v0.1 to v0.3 and still gets the suite's verdict on them
     * (BundleVerifierTest).
     */
    private static final Map<String, NoVerdict> COSIGN_CANNOT_JUDGE = Map.of(
            "bundle-with-root-cert_fail", v01(),
            "incorrect-public-key_fail", v01(),
            "intoto-log-entry-mismatch_fail", v02(),
            "intoto-missing-inclusion-proof_fail", v02(),
            "invalid-inclusion-proof_fail", v02());

    private static final String CANNOT_READ = "--trusted-root only supported with --new-bundle-format";

    private static CosignCli cosign;

    @BeforeAll
    static void cosign(@TempDir Path work) {
        cosign = CosignCli.create(CosignCli.Version.V3, work);
    }

    static Stream<String> cases() throws Exception {
        return BundleVerifierTest.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("trustgate and the real cosign verify-blob give the same verdict on a Sigstore conformance bundle")
    void agrees(String name) throws Exception {
        Path dir = BundleVerifierTest.DATA.resolve(name);
        Optional<Rejected> trustgate = BundleVerifierTest.verify(dir, BundleVerifierTest.identities(dir));
        Proc.Result oracle = verifyBlob(dir);
        String cosignOutput = oracle.stdout() + oracle.stderr();
        NoVerdict none = COSIGN_CANNOT_JUDGE.get(name);
        if (none != null) {
            assertThat(oracle.exitCode()).as(name + ": " + none.why()).isNotZero();
            assertThat(cosignOutput).as(name + ": " + none.why()).contains(none.cosignSays());
            // trustgate still holds the suite's verdict where cosign has none.
            assertThat(trustgate).as(name).isPresent();
            return;
        }
        assertThat(cosignOutput).as(name + ": cosign judged the bundle").doesNotContain(CANNOT_READ);
        boolean cosignAdmits = oracle.exitCode() == 0 && cosignOutput.contains("Verified OK");
        assertThat(trustgate.isEmpty())
                .as("%s: trustgate %s, cosign said (exit %d): %s", name, trustgate, oracle.exitCode(), cosignOutput)
                .isEqualTo(cosignAdmits);
        // Both agree with the suite too (cosign's side of BundleVerifierTest).
        assertThat(cosignAdmits).as(name).isEqualTo(!name.endsWith("_fail"));
    }

    private static Proc.Result verifyBlob(Path dir) throws Exception {
        Path root = Files.exists(dir.resolve("trusted_root.json"))
                ? dir.resolve("trusted_root.json")
                : BundleVerifierTest.DATA.resolve("public-good-trusted_root.json");
        Path artifact = Files.exists(dir.resolve("artifact"))
                ? dir.resolve("artifact")
                : BundleVerifierTest.DATA.resolve("a.txt");
        CertificateIdentity identity = BundleVerifierTest.identities(dir).get(0);
        return cosign.cosign(
                        "verify-blob",
                        "--bundle",
                        dir.resolve("bundle.sigstore.json").toAbsolutePath().toString(),
                        "--trusted-root",
                        root.toAbsolutePath().toString(),
                        "--certificate-identity",
                        identity.subject(),
                        "--certificate-oidc-issuer",
                        identity.issuer(),
                        artifact.toAbsolutePath().toString())
                .runAllowingFailure();
    }

    private static NoVerdict v01() {
        return new NoVerdict(CANNOT_READ, "a v0.1 bundle: cosign 3 verifies offline only v0.3 bundles");
    }

    private static NoVerdict v02() {
        return new NoVerdict(CANNOT_READ, "a v0.2 bundle: cosign 3 verifies offline only v0.3 bundles");
    }
}
