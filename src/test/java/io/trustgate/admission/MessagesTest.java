package io.trustgate.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.image.ImageReference;
import io.trustgate.policy.CosignConfig;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.KeylessIdentity;
import io.trustgate.policy.NotationConfig;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.Signer;
import io.trustgate.policy.Threshold;
import io.trustgate.verify.ImageVerdict;
import io.trustgate.verify.PolicyVerdict;
import io.trustgate.verify.SignerEvidence;
import io.trustgate.verify.SourceFindings;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The denial a developer reads for a policy whose signers sign with several formats. */
class MessagesTest {

    private static final String DIGEST = "sha256:" + "ab".repeat(32);
    // Only the armour lines matter to the message: the keys are never parsed here.
    private static final String PGP = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n...\n-----END PGP PUBLIC KEY BLOCK-----";
    private static final String PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----";
    private static final String CERTIFICATE = "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----";

    private static Policy migration(List<Signer> signers, int min) throws Exception {
        return Policy.builder(PolicyId.cluster("migrate"), "uid", "1")
                .images(List.of(ImagePattern.compile("registry.example.com/**")))
                .lookaside("https://lookaside.example.com")
                .signers(signers)
                .minSignatures(min)
                .cosign(new CosignConfig(null))
                .notation(new NotationConfig())
                .build();
    }

    @Test
    @DisplayName("a missing signer is named with the formats looked for: those the policy uses that fit its keys")
    void missingSignersNameTheFormatsTried() throws Exception {
        Signer releases =
                Signer.builder("releases").keys(List.of(PGP, PUBLIC_KEY)).build();
        Signer ci = Signer.builder("ci")
                .keys(List.of(CERTIFICATE))
                .identities(List.of(new KeylessIdentity("https://issuer.example.com", "ci@example.com", null)))
                .build();
        Signer security = Signer.builder("security").keys(List.of(PGP)).build();
        Policy policy = migration(List.of(releases, ci, security), 2);
        SourceFindings findings = new SourceFindings(
                List.of(new SignerEvidence("security", "gpg", "F00D")),
                List.of("cosign: no signature found"),
                List.of(),
                null);
        PolicyVerdict verdict = new PolicyVerdict(policy, Threshold.evaluate(policy, Set.of("security")), findings);
        ImageVerdict image =
                new ImageVerdict(ImageReference.parse("registry.example.com/app:1.0"), DIGEST, List.of(verdict), null);

        String message = Messages.unsatisfied(image, verdict);

        assertThat(message)
                .contains("registry.example.com/app:1.0")
                .contains(DIGEST)
                .contains("ClusterTrustPolicy/migrate")
                .contains("signed by [security (gpg)]")
                .contains("missing [releases, ci]")
                .contains("releases: no valid gpg or cosign signature")
                .contains("ci: no valid cosign or notation signature")
                .contains("cosign: no signature found")
                .contains("Fix: deploy an image signed by [releases, ci]");
    }

    @Test
    @DisplayName("a signer whose keys fit none of the policy's formats is said to be so, not silently missing")
    void aSignerNoFormatFits() throws Exception {
        Signer notaryOnly =
                Signer.builder("notary-only").keys(List.of(CERTIFICATE)).build();
        Policy policy = Policy.builder(PolicyId.cluster("gpg-only"), "uid", "1")
                .images(List.of(ImagePattern.compile("registry.example.com/**")))
                .lookaside("https://lookaside.example.com")
                .signers(List.of(notaryOnly))
                .build();

        assertThat(Messages.lookedFor(policy, List.of("notary-only", "stranger")))
                .isEqualTo("notary-only: none of this policy's formats fits its keys; stranger: not a signer of this"
                        + " policy");
    }
}
