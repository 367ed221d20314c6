package io.trustgate.notary;

import java.util.Map;

/**
 * The highest metadata version trusted per Notary server, repository (GUN) and role: the memory behind
 * rollback protection (TUF 5.3-5.6: a role's version must not go back). {@link InMemoryVersionStore} lives
 * as long as the process; {@link FileVersionStore} (directory mode) and the cluster's ConfigMap store keep it
 * across restarts and share it between replicas.
 *
 * <p>Contract: {@link #highest} answers from memory without I/O (it runs on the review's thread), and
 * {@link #raise} only ever raises versions, never lowers them; persisting happens off the caller's thread.
 */
public interface VersionStore extends AutoCloseable {

    /** The highest versions by role recorded for {@code gun} at {@code server}; empty if none. */
    Map<String, Long> highest(String server, String gun);

    /** Records {@code versions} where they are higher than what is recorded; lower ones change nothing. */
    void raise(String server, String gun, Map<String, Long> versions);

    /** Persists what is pending, then releases threads; an in-memory store has nothing to do. */
    @Override
    default void close() {}

    /** Today's behaviour: versions kept for the life of the process only. */
    static VersionStore inMemory() {
        return new InMemoryVersionStore(InMemoryVersionStore.DEFAULT_MAX_ENTRIES, java.time.Clock.systemUTC());
    }
}
