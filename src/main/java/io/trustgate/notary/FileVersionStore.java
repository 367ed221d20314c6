package io.trustgate.notary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Versions kept in a JSON file (directory mode): read once when made, rewritten on a thread of its own
 * {@link #FLUSH_DELAY} after a rise, so that the rises of a burst of new repositories (a roll-out, a cold start)
 * cost one rewrite rather than one each (write to a temporary file, then an atomic rename, so a crash leaves the
 * old or the new file, never half of one); {@link #close()} writes what is pending at once. Bounded like {@link InMemoryVersionStore}, so the file stays under about a megabyte.
 * One process per file: two replicas in directory mode do not share it (use the cluster store for that).
 */
public final class FileVersionStore implements VersionStore {

    /** A state file larger than this is not ours (bounded entries stay far below). */
    static final long MAX_FILE_BYTES = 16L << 20;

    /**
     * Longest time a risen version waits in memory before the file is rewritten: rises within it share one
     * rewrite. A crash in that window loses only those rises' persistence (this process had them in memory).
     */
    public static final Duration FLUSH_DELAY = Duration.ofMillis(200);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(FileVersionStore.class.getName());

    private final Path file;
    private final InMemoryVersionStore memory;
    private final ScheduledExecutorService writer;
    private final AtomicLong writes = new AtomicLong();
    private final AtomicBoolean writeQueued = new AtomicBoolean();

    /**
     * Reads {@code file} if it exists.
     *
     * @throws IllegalStateException if the file exists but cannot be read as a state file: trustgate must not
     *     start with less rollback protection than it had (delete the file to start afresh)
     */
    public FileVersionStore(Path file, int maxEntries, Clock clock) {
        this.file = file.toAbsolutePath();
        this.memory = new InMemoryVersionStore(maxEntries, clock);
        load();
        ScheduledThreadPoolExecutor w = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "trustgate-version-file");
            t.setDaemon(true);
            return t;
        });
        w.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // close() writes what is pending itself
        this.writer = w;
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IllegalStateException("Notary version state " + file + " is larger than " + MAX_FILE_BYTES
                        + " bytes; it is not trustgate's (delete it to start afresh)");
            }
            JsonNode root = JSON.readTree(Files.readAllBytes(file));
            if (root == null || !root.path("entries").isArray()) {
                throw new IllegalStateException(
                        "Notary version state " + file + " has no \"entries\" array " + "(delete it to start afresh)");
            }
            for (JsonNode e : root.path("entries")) {
                VersionEntry.fromNode(e).ifPresent(memory::merge);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read Notary version state " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, Long> highest(String server, String gun) {
        return memory.highest(server, gun);
    }

    @Override
    public void raise(String server, String gun, Map<String, Long> versions) {
        if (memory.rise(server, gun, versions) && writeQueued.compareAndSet(false, true)) {
            try {
                var unused = writer.schedule(this::writeLogged, FLUSH_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closing: close() writes what is queued
            }
        }
    }

    private void writeLogged() {
        try {
            write();
        } catch (UncheckedIOException e) {
            LOG.log(
                    System.Logger.Level.ERROR,
                    e.getMessage() + ": " + e.getCause().getMessage());
        }
    }

    /** Rewrites of the file so far. */
    long writes() {
        return writes.get();
    }

    /** Writes every record now (normally done on the writer thread after a rise). */
    void write() {
        writeQueued.set(false);
        writes.incrementAndGet();
        StringBuilder out = new StringBuilder("{\"entries\":[\n");
        var entries = memory.entries();
        for (int i = 0; i < entries.size(); i++) {
            out.append(entries.get(i).toJson()).append(i + 1 < entries.size() ? ",\n" : "\n");
        }
        out.append("]}\n");
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, out, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // The versions stay in memory (protection for this process); the next rise tries again.
            throw new UncheckedIOException("cannot write Notary version state " + file, e);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        writer.shutdown(); // a write under way finishes; a delayed one is dropped and done here, now
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writeQueued.get()) {
            writeLogged();
        }
    }
}
