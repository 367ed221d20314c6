package io.trustgate.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.trustgate.notary.InMemoryVersionStore;
import io.trustgate.notary.VersionEntry;
import io.trustgate.notary.VersionStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The Notary rollback state of every replica in one ConfigMap of trustgate's namespace (the chart creates it
 * and grants {@code get/list/watch/update} on that name only). Each data key is {@code v-<sha256(server, gun)>}
 * and its value one {@link VersionEntry} as JSON.
 *
 * <p>Reads never wait: {@link #highest} answers from memory, which holds the ConfigMap as read at start plus
 * what any replica wrote since (an informer on the one object) plus what this replica accepted. A rise is
 * written on this store's own thread by compare-and-swap: read the ConfigMap, take the higher version of
 * every role from both sides, and update with the resourceVersion read; a conflict (another replica wrote
 * first) reads again and retries, so no replica's rise is lost. Until the first read has succeeded the store
 * is not {@link #loaded()} and trustgate is not ready, so a restarted replica never judges with less than was
 * stored.
 */
public final class ConfigMapVersionStore implements VersionStore {

    private static final Logger LOG = Logger.getLogger(ConfigMapVersionStore.class);
    /** Repositories kept: about 250 bytes each, far below a ConfigMap's 1 MiB. */
    public static final int MAX_ENTRIES = 2048;
    /** Compare-and-swap attempts per write before waiting {@link #RETRY_SECONDS}. */
    static final int MAX_ATTEMPTS = 8;

    static final long RETRY_SECONDS = 5;
    private static final String KEY_PREFIX = "v-";

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final InMemoryVersionStore memory;
    private final ScheduledExecutorService worker;
    private final AtomicBoolean writeQueued = new AtomicBoolean();
    private volatile boolean loaded;
    private volatile boolean writable = true;
    private volatile SharedIndexInformer<ConfigMap> informer;
    /** Test seam: runs between the read and the update of a compare-and-swap (where another replica may write). */
    volatile Runnable beforeUpdate = () -> {};

    public ConfigMapVersionStore(KubernetesClient client, String namespace, String name, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.name = Objects.requireNonNull(name, "name");
        this.memory = new InMemoryVersionStore(MAX_ENTRIES, clock);
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trustgate-version-configmap");
            t.setDaemon(true);
            return t;
        });
    }

    /** Reads the ConfigMap and watches it, on this store's thread (retrying while the API server is away). */
    public ConfigMapVersionStore start() {
        worker.execute(this::load);
        return this;
    }

    private void load() {
        try {
            ConfigMap current =
                    client.configMaps().inNamespace(namespace).withName(name).get();
            if (current == null) {
                LOG.warnf(
                        "ConfigMap %s/%s (Notary rollback state) does not exist; trustgate creates it on the first "
                                + "rise if allowed to",
                        namespace, name);
            } else {
                absorb(current);
            }
            informer = client.configMaps()
                    .inNamespace(namespace)
                    .withName(name)
                    .inform(
                            new ResourceEventHandler<>() {
                                @Override
                                public void onAdd(ConfigMap obj) {
                                    absorb(obj);
                                }

                                @Override
                                public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {
                                    absorb(newObj);
                                }

                                @Override
                                public void onDelete(ConfigMap obj, boolean deletedFinalStateUnknown) {
                                    // what was trusted stays in memory; the next rise writes it back
                                }
                            },
                            0);
            loaded = true;
            LOG.infof(
                    "Notary rollback state: %d repositories from ConfigMap %s/%s",
                    memory.entries().size(), namespace, name);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                // RBAC without the state rule (an older chart): protection for this process only, said loudly.
                LOG.errorf(
                        "may not read ConfigMap %s/%s: Notary rollback state is kept in memory only (grant get, "
                                + "list, watch, update on it, as the chart does)",
                        namespace, name);
                writable = false;
                loaded = true;
                return;
            }
            LOG.warnf(
                    "cannot read ConfigMap %s/%s (retrying in %d s): HTTP %d",
                    namespace, name, RETRY_SECONDS, e.getCode());
            later(this::load);
        }
    }

    /** Whether the stored state has been read (trustgate is not ready before). */
    public boolean loaded() {
        return loaded;
    }

    @Override
    public Map<String, Long> highest(String server, String gun) {
        return memory.highest(server, gun);
    }

    @Override
    public void raise(String server, String gun, Map<String, Long> versions) {
        if (memory.rise(server, gun, versions) && writable && writeQueued.compareAndSet(false, true)) {
            worker.execute(this::write);
        }
    }

    private void absorb(ConfigMap map) {
        if (map.getData() == null) {
            return;
        }
        for (Map.Entry<String, String> e : map.getData().entrySet()) {
            if (e.getKey().startsWith(KEY_PREFIX)) {
                VersionEntry.fromJson(e.getValue()).ifPresent(memory::merge);
            }
        }
    }

    /** Compare-and-swap of every record into the ConfigMap; runs on the store's thread. */
    void write() {
        writeQueued.set(false);
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                ConfigMap current = client.configMaps()
                        .inNamespace(namespace)
                        .withName(name)
                        .get();
                if (current == null) {
                    client.configMaps()
                            .inNamespace(namespace)
                            .resource(new ConfigMapBuilder()
                                    .withNewMetadata()
                                    .withName(name)
                                    .withNamespace(namespace)
                                    .endMetadata()
                                    .withData(data())
                                    .build())
                            .create();
                    return;
                }
                absorb(current); // another replica's rises: the merge below keeps them
                Map<String, String> next = data();
                if (next.equals(current.getData())) {
                    return;
                }
                beforeUpdate.run();
                client.configMaps()
                        .inNamespace(namespace)
                        .resource(new ConfigMapBuilder(current).withData(next).build())
                        .update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    continue; // 409: changed (or created) since read; read again and merge
                }
                LOG.warnf(
                        "cannot write ConfigMap %s/%s (retrying in %d s): HTTP %d",
                        namespace, name, RETRY_SECONDS, e.getCode());
                break;
            }
        }
        if (writeQueued.compareAndSet(false, true)) {
            later(this::write);
        }
    }

    /** Retries after {@link #RETRY_SECONDS}, unless the store is closing. */
    private void later(Runnable task) {
        if (!worker.isShutdown()) {
            // load() and write() catch and log their own failures: the future has nothing to report.
            ScheduledFuture<?> unused = worker.schedule(task, RETRY_SECONDS, TimeUnit.SECONDS);
        }
    }

    private Map<String, String> data() {
        Map<String, String> data = new HashMap<>();
        for (VersionEntry e : memory.entries()) {
            data.put(key(e.server(), e.gun()), e.toJson());
        }
        return data;
    }

    /** A ConfigMap key for a server and repository ({@code [-._a-zA-Z0-9]+}, whatever the GUN holds). */
    static String key(String server, String gun) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256").digest((server + "\n" + gun).getBytes(StandardCharsets.UTF_8));
            return KEY_PREFIX + HexFormat.of().formatHex(digest, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        SharedIndexInformer<ConfigMap> i = informer;
        if (i != null) {
            i.close();
        }
        worker.shutdown(); // a queued write still runs
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
