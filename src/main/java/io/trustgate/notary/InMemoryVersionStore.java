package io.trustgate.notary;

import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Versions kept in memory, bounded: when more than {@code maxEntries} repositories are recorded, the one
 * whose versions rose longest ago is forgotten (its next update is checked against its pinned root only, as
 * on a first start). The persistent stores keep one of these as their answer to {@link #highest}.
 */
public final class InMemoryVersionStore implements VersionStore {

    /** Repositories remembered by default (about 200 bytes each when persisted). */
    public static final int DEFAULT_MAX_ENTRIES = 4096;

    private record Key(String server, String gun) {}

    private final Map<Key, VersionEntry> entries = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final Clock clock;

    public InMemoryVersionStore(int maxEntries, Clock clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Map<String, Long> highest(String server, String gun) {
        VersionEntry e = entries.get(new Key(server, gun));
        return e == null ? Map.of() : e.versions();
    }

    @Override
    public void raise(String server, String gun, Map<String, Long> versions) {
        rise(server, gun, versions);
    }

    /** {@link #raise}, telling whether any version rose (and so whether there is anything to persist). */
    public boolean rise(String server, String gun, Map<String, Long> versions) {
        return merge(new VersionEntry(server, gun, versions, clock.instant()));
    }

    /**
     * Takes the higher version of each role from {@code entry} (one this process accepted, or one read back from
     * storage); returns whether any version rose.
     */
    public boolean merge(VersionEntry entry) {
        boolean[] rose = new boolean[1];
        entries.compute(new Key(entry.server(), entry.gun()), (k, old) -> {
            if (old == null) {
                rose[0] = !entry.versions().isEmpty();
                return entry;
            }
            Map<String, Long> merged = new HashMap<>(old.versions());
            entry.versions().forEach((role, v) -> {
                Long had = merged.get(role);
                if (had == null || v > had) {
                    merged.put(role, v);
                    rose[0] = true;
                }
            });
            return rose[0]
                    ? new VersionEntry(
                            k.server(),
                            k.gun(),
                            merged,
                            entry.updated().isAfter(old.updated()) ? entry.updated() : old.updated())
                    : old;
        });
        if (entries.size() > maxEntries) {
            evictOldest();
        }
        return rose[0];
    }

    private synchronized void evictOldest() {
        while (entries.size() > maxEntries) {
            entries.values().stream()
                    .min(Comparator.comparing(VersionEntry::updated))
                    .ifPresent(e -> entries.remove(new Key(e.server(), e.gun())));
        }
    }

    /** Every record, for persisting. */
    public List<VersionEntry> entries() {
        return List.copyOf(entries.values());
    }
}
