package io.trustgate.tuf;

import java.util.Map;

/**
 * The keys and threshold that a parent role (root, or a targets role for delegations) assigns to a role.
 *
 * @param role      the role these keys may sign
 * @param keys      key id -> key, only the keys the parent lists for this role
 * @param threshold how many distinct keys must sign
 */
public record RoleKeys(String role, Map<String, TufKey> keys, int threshold) {
    public RoleKeys {
        keys = Map.copyOf(keys);
        if (threshold < 1) {
            throw new MalformedMetadataException(role, "threshold " + threshold + " is below 1");
        }
    }
}
