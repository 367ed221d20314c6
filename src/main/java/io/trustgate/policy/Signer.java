package io.trustgate.policy;

import java.util.List;

/**
 * A named set of public keys from a policy. One threshold counts signers of every kind together: a
 * signer whose keys are OpenPGP keys signs with GPG simple signing, one whose keys are PEM public keys,
 * certificates or key ids signs Notary v1 trust data.
 *
 * @param keys every key as the policy gave it (inline and from {@code keysFrom}), parsed by the
 *     signature source that uses them
 * @param roles Notary roles in which this signer's signatures count; empty means any role
 * @param identities keyless cosign identities (Fulcio certificate issuer and subject) that count for this signer
 * @param notationIdentities Notation trusted identities ({@code x509.subject: C=US, O=Acme, CN=release}) the
 *     signing certificate's subject must match; empty means any subject under the signer's trust anchors
 */
public record Signer(
        String name,
        List<String> keys,
        List<String> roles,
        List<KeylessIdentity> identities,
        List<String> notationIdentities) {

    private static final String PGP_ARMOUR = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

    public Signer {
        keys = List.copyOf(keys);
        roles = List.copyOf(roles);
        identities = identities == null ? List.of() : List.copyOf(identities);
        notationIdentities = notationIdentities == null ? List.of() : List.copyOf(notationIdentities);
    }

    /** A signer with keys only. */
    public Signer(String name, List<String> keys, List<String> roles) {
        this(name, keys, roles, List.of(), List.of());
    }

    /** The armoured OpenPGP key blocks among the keys. */
    public List<String> pgpKeys() {
        return keys.stream().filter(k -> k.contains(PGP_ARMOUR)).toList();
    }

    /** The PEM public keys, certificates and key ids among the keys (used with Notary trust data). */
    public List<String> notaryKeys() {
        return keys.stream().filter(k -> !k.contains(PGP_ARMOUR)).toList();
    }
}
