package io.trustgate.notary;

import java.util.Map;
import java.util.Objects;

/** The highest metadata versions of one Notary server's repositories: a view of a {@link VersionStore}. */
public final class TrustedVersions {
    private final VersionStore store;
    private final String server;

    /** Versions kept in this process only. */
    public TrustedVersions() {
        this(VersionStore.inMemory(), "");
    }

    /** The versions {@code store} keeps for {@code server}. */
    public TrustedVersions(VersionStore store, String server) {
        this.store = Objects.requireNonNull(store, "store");
        this.server = Objects.requireNonNull(server, "server");
    }

    /** The highest versions seen for a repository (empty if never updated). */
    public Map<String, Long> highest(String gun) {
        return store.highest(server, gun);
    }

    /** Records a version; a lower version than the one already recorded changes nothing. */
    public void record(String gun, String role, long version) {
        store.raise(server, gun, Map.of(role, version));
    }

    /** Records every version of a successful update. */
    public void record(String gun, Map<String, Long> versions) {
        store.raise(server, gun, versions);
    }
}
