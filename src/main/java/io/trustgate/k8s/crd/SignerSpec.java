package io.trustgate.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** A named signer: the public keys whose signatures count for it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SignerSpec {

    @JsonPropertyDescription("The signer's name, used in requiredSigners and in messages.")
    @Required
    @Pattern("^[A-Za-z0-9]([A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$")
    public String name;

    @JsonPropertyDescription("Public keys: armoured OpenPGP key blocks (GPG simple signing), or PEM public "
            + "keys, PEM certificates or hex key ids (Notary delegation or targets keys), or cosign public keys "
            + "(cosign.pub, PEM).")
    public List<String> keys;

    @JsonPropertyDescription("More keys from a Secret in trustgate's namespace (ClusterTrustPolicy) or the "
            + "policy's namespace (TrustPolicy).")
    public KeysFrom keysFrom;

    @JsonPropertyDescription(
            "Notary roles in which this signer's signatures count, e.g. targets/releases. " + "Empty: any role.")
    public List<String> roles;

    @JsonPropertyDescription("Keyless cosign identities: a Fulcio certificate whose issuer and subject match one "
            + "of them counts for this signer (needs spec.cosign.trustedRoot).")
    public List<Identity> identities;

    /** A keyless identity: the OIDC issuer and the certificate subject, exact or as an RE2 pattern. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Identity {
        @JsonPropertyDescription("OIDC issuer URL named in the certificate, e.g. "
                + "https://token.actions.githubusercontent.com; compared exactly.")
        @Required
        public String issuer;

        @JsonPropertyDescription("The certificate identity exactly (an e-mail address or a URI such as a workflow).")
        public String subject;

        @JsonPropertyDescription("An RE2 regular expression (linear-time, no backtracking) that the whole "
                + "certificate identity must match; instead of subject.")
        public String subjectRegExp;
    }

    @JsonPropertyDescription("Notation trusted identities: the signing certificate's subject must have every "
            + "attribute of one of them, e.g. \"x509.subject: C=US, O=Acme, CN=release\". Empty: any subject "
            + "whose chain leads to one of the signer's PEM certificates.")
    public List<String> notationIdentities;

    /** A reference to keys kept in a Secret. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class KeysFrom {
        @JsonPropertyDescription("The Secret key holding the public keys (one or more PEM or armoured blocks).")
        @Required
        public SecretKeyRef secretKeyRef;
    }

    /** One key of one Secret. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SecretKeyRef {
        @JsonPropertyDescription("Name of the Secret.")
        @Required
        public String name;

        @JsonPropertyDescription("Key inside the Secret's data.")
        @Required
        public String key;
    }
}
