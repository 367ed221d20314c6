package io.trustgate.policy;

import java.util.List;
import java.util.Objects;

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

    /**
     * A builder for signers that are not compiled from a policy resource (the warm-up's embedded policy, tests); the
     * policy compiler uses the canonical constructor. Unset lists are empty: no keys, any role, no keyless or
     * Notation identities.
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a {@link Signer} field by field; see {@link Signer#builder}. */
    public static final class Builder {
        private final String name;
        private List<String> keys = List.of();
        private List<String> roles = List.of();
        private List<KeylessIdentity> identities = List.of();
        private List<String> notationIdentities = List.of();

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder keys(List<String> keys) {
            this.keys = keys;
            return this;
        }

        public Builder roles(List<String> roles) {
            this.roles = roles;
            return this;
        }

        public Builder identities(List<KeylessIdentity> identities) {
            this.identities = identities;
            return this;
        }

        public Builder notationIdentities(List<String> notationIdentities) {
            this.notationIdentities = notationIdentities;
            return this;
        }

        public Signer build() {
            return new Signer(name, keys, roles, identities, notationIdentities);
        }
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
