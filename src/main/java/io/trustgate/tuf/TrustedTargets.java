package io.trustgate.tuf;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A targets role ({@code targets} or a delegation) that passed every check, with the targets it may sign.
 *
 * @param role        role name
 * @param metadata    the verified metadata
 * @param signingKeys the role's keys whose signatures verified (each public key once)
 * @param chain       the delegations from {@code targets} down to this role (empty for {@code targets})
 * @param targets     the targets the role lists and is allowed to sign by every delegation in its chain
 */
public record TrustedTargets(
        String role,
        TargetsMetadata metadata,
        List<TufKey> signingKeys,
        List<DelegatedRole> chain,
        Map<String, TargetFile> targets) {

    public TrustedTargets {
        signingKeys = List.copyOf(signingKeys);
        chain = List.copyOf(chain);
        targets = Map.copyOf(targets);
    }

    public long version() {
        return metadata.metadata().version();
    }

    public Instant expires() {
        return metadata.metadata().expires();
    }
}
