package io.trustgate.notary;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The highest metadata version seen per repository and role in this process: the memory behind rollback checks. */
public final class TrustedVersions {
    private final Map<String, Map<String, Long>> byGun = new ConcurrentHashMap<>();

    /** A copy of the highest versions seen for a repository (empty if never updated). */
    public Map<String, Long> highest(String gun) {
        Map<String, Long> v = byGun.get(gun);
        return v == null ? Map.of() : Map.copyOf(v);
    }

    /** Records a version; a lower version than the one already recorded changes nothing. */
    public void record(String gun, String role, long version) {
        byGun.computeIfAbsent(gun, g -> new ConcurrentHashMap<>()).merge(role, version, Math::max);
    }

    /** Records every version of a successful update. */
    public void record(String gun, Map<String, Long> versions) {
        versions.forEach((role, version) -> record(gun, role, version));
    }
}
