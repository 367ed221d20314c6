package io.trustgate.tuf;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * A delegation as a targets role declares it: which keys, how many of them, and which target paths the
 * delegated role may sign.
 *
 * @param name              full role name, e.g. {@code targets/releases}
 * @param keyIds            the delegated keys (defined in the parent's {@code delegations.keys})
 * @param threshold         how many distinct keys must sign
 * @param paths             path prefixes the role may sign (Notary semantics: {@code ""} allows all)
 * @param pathHashPrefixes  hex prefixes of the sha256 of the paths the role may sign
 */
public record DelegatedRole(
        String name, Set<String> keyIds, int threshold, List<String> paths, List<String> pathHashPrefixes) {

    public DelegatedRole {
        keyIds = Set.copyOf(keyIds);
        paths = List.copyOf(paths);
        pathHashPrefixes = List.copyOf(pathHashPrefixes);
    }

    /** Whether this delegation allows its role to sign {@code targetPath}. */
    public boolean allows(String targetPath) {
        if (paths.stream().anyMatch(targetPath::startsWith)) {
            return true;
        }
        if (pathHashPrefixes.isEmpty()) {
            return false;
        }
        String hash = Digests.sha256Hex(targetPath.getBytes(StandardCharsets.UTF_8));
        return pathHashPrefixes.stream().anyMatch(hash::startsWith);
    }
}
