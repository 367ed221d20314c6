package io.trustgate.notary;

import java.util.List;

/**
 * A signer as a policy names it for Notary trust data.
 *
 * @param name  the signer's name in the policy
 * @param keys  PEM public keys, PEM certificates or hex key ids
 * @param roles the roles that count for this signer; empty means any role
 */
public record NotarySigner(String name, List<String> keys, List<String> roles) {
    public NotarySigner {
        keys = List.copyOf(keys);
        roles = roles == null ? List.of() : List.copyOf(roles);
    }
}
