package io.trustgate.notary;

import io.trustgate.tuf.DelegatedRole;
import io.trustgate.tuf.LimitExceededException;
import io.trustgate.tuf.Limits;
import io.trustgate.tuf.RootPins;
import io.trustgate.tuf.SignedMetadata;
import io.trustgate.tuf.TrustDataException;
import io.trustgate.tuf.TrustedMetadataSet;
import io.trustgate.tuf.TrustedTargets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The Notary v1 client update: drives a {@link TrustedMetadataSet} with files from a {@link TrustDataFetcher}.
 *
 * <p>Order: root (pinned; or the root trusted in an earlier update with the same pins), newer
 * {@code <n>.root} files while they exist, timestamp, snapshot, targets, then every delegation the targets
 * roles declare and the snapshot lists (a delegation the snapshot does not list is not published yet and
 * is skipped; one it lists but the server lacks is left out with its reason, see {@link #loadDelegations}). The timestamp file is fetched together
 * with the root and verified in its turn; on first contact with a repository so are {@code 2.root}, the
 * snapshot and the targets ({@link #readEarly}). Futures are composed; no thread waits; one update per repository
 * and pins runs at a time, shared by the reviews that ask meanwhile.
 * The highest versions and the root of each successful update are kept in memory for the next one.
 */
public final class NotaryClient {

    private final TrustDataFetcher fetcher;
    private final Clock clock;
    private final Limits limits;
    private final TrustedVersions versions;
    private final Map<String, TrustedRoot> roots = new ConcurrentHashMap<>();

    /** The newer root 5.3 asks for first after a version-1 root: read early on first contact. */
    private static final String FIRST_ROTATION = "2." + SignedMetadata.TYPE_ROOT;

    /** How many delegations, already known to be needed, are requested ahead of the one being verified. */
    private static final int DELEGATION_WINDOW = 8;

    // raw carries the trusted root file to restart the next update from; records of it are never compared.
    private record TrustedRoot(
            RootPins pins,
            @SuppressWarnings("ArrayRecordComponent") byte[] raw) {}

    private record WorkItem(String role, String parent) {}

    private record UpdateKey(String gun, RootPins pins) {}

    /**
     * How long after it started a prefetched update that has already completed still answers its review's
     * {@link #update}: the review's own tag resolution is usually what it waited for, so this is well under a
     * second in practice. Far below the trust-file re-check interval (30 s by default), so the answer is no
     * staler than the files a fresh update would read from that cache.
     */
    static final Duration PREFETCH_CLAIM_WINDOW = Duration.ofSeconds(2);

    /** At most this many prefetched updates wait for their review; more are not kept (their review updates). */
    static final int MAX_UNCLAIMED_PREFETCHES = 256;

    private record Prefetched(CompletableFuture<TrustedRepository> update, Instant started) {}

    /**
     * Updates under way, one per repository and pins: a review that asks while one runs shares it (and the
     * {@link #prefetch} started before the tag was resolved is the one its review then uses). An entry leaves
     * when its update completes, so the map holds no more than the updates in flight.
     */
    private final Map<UpdateKey, CompletableFuture<TrustedRepository>> inFlight = new ConcurrentHashMap<>();

    /**
     * Prefetched updates not yet taken by a review. The review's {@link #update} takes its prefetch even when it
     * completed before the review asked (the tag resolved later than the trust data), instead of running the
     * whole update again from the just-trusted root. Swept on each prefetch; bounded.
     */
    private final Map<UpdateKey, Prefetched> prefetched = new ConcurrentHashMap<>();

    public NotaryClient(TrustDataFetcher fetcher, Clock clock, Limits limits) {
        this(fetcher, clock, limits, new TrustedVersions());
    }

    /** A client sharing (or seeded with) a record of the highest versions seen. */
    public NotaryClient(TrustDataFetcher fetcher, Clock clock, Limits limits, TrustedVersions versions) {
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.versions = Objects.requireNonNull(versions, "versions");
    }

    /**
     * Updates the trust data of {@code gun} and returns what it verifiably signs. Completes exceptionally
     * with a {@link io.trustgate.tuf.TrustDataException} subtype when trust cannot be established.
     */
    public CompletableFuture<TrustedRepository> update(String gun, RootPins pins) {
        Objects.requireNonNull(gun, "gun");
        Objects.requireNonNull(pins, "pins");
        UpdateKey key = new UpdateKey(gun, pins);
        // the review a prefetch was started for takes it, running or done, so the next review starts afresh
        Prefetched early = prefetched.remove(key);
        if (early != null && fresh(early)) {
            return early.update();
        }
        return shared(key);
    }

    /** The update under way for {@code key}, or a new one that the reviews asking meanwhile share. */
    // whenComplete's own future is not needed: the update's outcome is handed on through mine.
    @SuppressWarnings("FutureReturnValueIgnored")
    private CompletableFuture<TrustedRepository> shared(UpdateKey key) {
        String gun = key.gun();
        RootPins pins = key.pins();
        CompletableFuture<TrustedRepository> running = inFlight.get(key);
        if (running != null) {
            return running;
        }
        CompletableFuture<TrustedRepository> mine = new CompletableFuture<>();
        running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        // Removed before the waiters hear the answer, so a review that follows an answered one starts afresh.
        runUpdate(gun, pins).whenComplete((repository, error) -> {
            inFlight.remove(key, mine);
            if (error != null) {
                mine.completeExceptionally(error);
            } else {
                mine.complete(repository);
            }
        });
        return mine;
    }

    /**
     * Starts the update of a repository this client has not trusted yet, before the review needs it (while the
     * registry resolves the tag): the {@link #update} that follows shares it. A repository with a trusted root
     * is left alone, so warm reviews make no extra work.
     */
    // The prefetched update is shared through inFlight; its caller has nothing to wait for.
    @SuppressWarnings("FutureReturnValueIgnored")
    public void prefetch(String gun, RootPins pins) {
        if (roots.containsKey(gun)) {
            return;
        }
        prefetched.values().removeIf(p -> !fresh(p));
        UpdateKey key = new UpdateKey(gun, pins);
        if (prefetched.containsKey(key)) {
            return; // another review's prefetch waits for it: its start time stays, so its answer is not kept longer
        }
        CompletableFuture<TrustedRepository> update = shared(key);
        update.exceptionally(error -> null); // its review hears the failure, with the evidence
        if (prefetched.size() < MAX_UNCLAIMED_PREFETCHES) {
            prefetched.put(key, new Prefetched(update, clock.instant()));
        }
    }

    /** Prefetched updates no review has taken yet (for tests of the bound). */
    int unclaimedPrefetches() {
        return prefetched.size();
    }

    private boolean fresh(Prefetched p) {
        return !clock.instant().isAfter(p.started().plus(PREFETCH_CLAIM_WINDOW));
    }

    /** Drops an update under way for {@code gun}, so the next review reads the server afresh (after a denial). */
    public void forget(String gun) {
        inFlight.keySet().removeIf(k -> k.gun().equals(gun));
        prefetched.keySet().removeIf(k -> k.gun().equals(gun));
    }

    private CompletableFuture<TrustedRepository> runUpdate(String gun, RootPins pins) {
        // 5.1: the reference time is fixed once for the whole update
        Instant referenceTime = clock.instant();
        Map<String, Long> seen = versions.highest(gun);
        TrustedRoot known = roots.get(gun);
        CompletableFuture<TrustedMetadataSet> start;
        boolean firstContact = known == null || !known.pins().equals(pins);
        if (!firstContact) {
            // 5.2: the root trusted by an earlier update under the same pins
            start = CompletableFuture.completedFuture(known.raw())
                    .thenApply(raw -> TrustedMetadataSet.fromTrustedRoot(gun, raw, referenceTime, limits, seen));
        } else {
            // 5.2: no trusted root yet: the served root must be signed by the pinned keys
            start = fetch(gun, SignedMetadata.TYPE_ROOT, limits.maxMetadataBytes())
                    .thenApply(raw -> TrustedMetadataSet.fromPinnedRoot(gun, raw, pins, referenceTime, limits, seen));
        }
        // The timestamp is read at the same time as the root (one round trip less); it is verified only after
        // the final root, as 5.4 orders it, and its bound does not depend on the root.
        CompletableFuture<byte[]> timestamp = fetch(gun, SignedMetadata.TYPE_TIMESTAMP, limits.maxMetadataBytes());
        Map<String, CompletableFuture<byte[]>> early = new ConcurrentHashMap<>();
        if (firstContact) {
            readEarly(gun, early);
        }
        return start.thenCompose(set -> rotateRoot(gun, set, early))
                .thenCompose(set -> timestamp.thenApply(raw -> {
                    set.updateTimestamp(raw);
                    return set;
                }))
                .thenCompose(set -> load(gun, set, SignedMetadata.TYPE_SNAPSHOT, early, set::updateSnapshot))
                .thenCompose(set -> load(gun, set, SignedMetadata.TYPE_TARGETS, early, set::updateTargets))
                .thenCompose(set -> {
                    Deque<WorkItem> work = new ArrayDeque<>();
                    enqueueDelegations(
                            set, set.targets(SignedMetadata.TYPE_TARGETS).orElseThrow(), work);
                    List<RejectedRole> rejected = new ArrayList<>();
                    return loadDelegations(gun, set, work, rejected, new HashMap<>())
                            .thenApply(loaded -> {
                                versions.record(gun, loaded.versions());
                                roots.put(
                                        gun,
                                        new TrustedRoot(
                                                pins, loaded.root().metadata().raw()));
                                return TrustedRepository.from(loaded, rejected);
                            });
                });
    }

    /**
     * First contact with a repository (a new image's usual case): the files the update reads after the root are
     * requested together with it, so the update takes one round trip instead of four. Each is bounded by the
     * general limit rather than the length its parent gives (TUF 5.5.1 and 5.6.1 allow "some Y number of bytes"),
     * and is still checked byte for byte against its parent before it is trusted ({@link #load}). {@code 2.root}
     * is the file 5.3 asks for after a version-1 root, which is what a repository's first root is.
     */
    private void readEarly(String gun, Map<String, CompletableFuture<byte[]>> early) {
        for (String file : List.of(FIRST_ROTATION, SignedMetadata.TYPE_SNAPSHOT, SignedMetadata.TYPE_TARGETS)) {
            early.put(file, fetch(gun, file, limits.maxMetadataBytes()));
        }
    }

    /**
     * Loads {@code role} with {@code update}: from the copy read early when there is one, else fetched now,
     * bounded by the length its parent gives. Either way {@code update} checks the bytes against the parent first.
     * An early copy that does not match (the repository was published between two reads) fails the update as a
     * mismatch, as a file read late would in the same race; reading it again would not help, since the cache of
     * trust files would answer with the same copy and the timestamp read with it would be the old one.
     */
    private CompletableFuture<TrustedMetadataSet> load(
            String gun,
            TrustedMetadataSet set,
            String role,
            Map<String, CompletableFuture<byte[]>> early,
            Consumer<byte[]> update) {
        CompletableFuture<byte[]> copy = early.remove(role);
        return (copy != null ? copy : fetch(gun, role, set.maxBytes(role))).thenApply(raw -> {
            update.accept(raw);
            return set;
        });
    }

    /** 5.3: walks {@code <n+1>.root}, {@code <n+2>.root}... until the server has no newer root. */
    private CompletableFuture<TrustedMetadataSet> rotateRoot(
            String gun, TrustedMetadataSet set, Map<String, CompletableFuture<byte[]>> early) {
        String file = (set.root().version() + 1) + "." + SignedMetadata.TYPE_ROOT;
        CompletableFuture<byte[]> copy = early.remove(file);
        return (copy != null ? copy : fetch(gun, file, limits.maxMetadataBytes()))
                .handle((raw, error) -> {
                    if (error == null) {
                        return raw;
                    }
                    Throwable cause =
                            error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (cause instanceof TrustDataNotFoundException) {
                        return null; // 5.3.2: no newer root: the trusted root is the final one
                    }
                    throw error instanceof CompletionException c ? c : new CompletionException(error);
                })
                .thenCompose(raw -> {
                    if (raw == null) {
                        return CompletableFuture.completedFuture(set);
                    }
                    set.updateRoot(raw);
                    // 5.3.8: repeat until there is no newer root
                    return rotateRoot(gun, set, early);
                });
    }

    private void enqueueDelegations(TrustedMetadataSet set, TrustedTargets parent, Deque<WorkItem> work) {
        for (DelegatedRole d : parent.metadata().delegations()) {
            if (set.isListedInSnapshot(d.name())) {
                work.add(new WorkItem(d.name(), parent.role()));
            }
        }
    }

    /**
     * 5.6.7: loads delegated roles breadth-first; each is verified with the keys its parent assigns. The roles
     * queued behind the one being verified are requested with it ({@code requested}), bounded by the snapshot's
     * lengths as each is.
     *
     * <p>A delegation whose trust data fails (bad signature, expired, rolled back, hash mismatch, listed but
     * missing) is left out with the reason, together with the roles below it, and the others still load: only
     * the signers that depend on it lose their signatures. Leaving a role out can only remove signatures,
     * never add one. A server that cannot be reached, or a limit exceeded, still fails the whole update.
     */
    private CompletableFuture<TrustedMetadataSet> loadDelegations(
            String gun,
            TrustedMetadataSet set,
            Deque<WorkItem> work,
            List<RejectedRole> rejected,
            Map<String, CompletableFuture<byte[]>> requested) {
        WorkItem next = work.poll();
        if (next == null) {
            return CompletableFuture.completedFuture(set);
        }
        CompletableFuture<byte[]> raw = requested.remove(next.role());
        if (raw == null) {
            raw = fetch(gun, next.role(), set.maxBytes(next.role()));
        }
        // The delegations queued behind it are requested now too, DELEGATION_WINDOW at most (docker trust's
        // targets/releases and targets/<signer> take one round trip, not one each); each is verified in its turn.
        for (WorkItem queued : work) {
            if (requested.size() >= DELEGATION_WINDOW) {
                break;
            }
            requested.computeIfAbsent(queued.role(), role -> fetch(gun, role, set.maxBytes(role)));
        }
        return raw.thenApply(bytes -> set.updateDelegatedTargets(next.role(), next.parent(), bytes))
                .handle((loaded, error) -> {
                    if (error == null) {
                        enqueueDelegations(set, loaded, work);
                        return null;
                    }
                    Throwable cause =
                            error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (cause instanceof TrustDataException t && !(cause instanceof LimitExceededException)) {
                        rejected.add(new RejectedRole(next.role(), t));
                        return null;
                    }
                    throw error instanceof CompletionException c ? c : new CompletionException(error);
                })
                .thenCompose(ignored -> loadDelegations(gun, set, work, rejected, requested));
    }

    private CompletableFuture<byte[]> fetch(String gun, String roleFile, long maxBytes) {
        try {
            CompletableFuture<byte[]> f = fetcher.fetch(gun, roleFile, maxBytes);
            return f != null
                    ? f
                    : CompletableFuture.failedFuture(
                            new IllegalStateException("fetcher returned no future for " + roleFile));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
