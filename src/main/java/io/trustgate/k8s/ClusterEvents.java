package io.trustgate.k8s;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Writes Kubernetes Events (core v1) about trustgate's findings, from one background thread with a bounded
 * queue: a caller never waits for the API server, and a storm of findings drops Events (counted in the log)
 * rather than growing memory. Callers dedupe; this class only bounds.
 */
public final class ClusterEvents implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ClusterEvents.class);
    /** Events waiting to be written; beyond it new ones are dropped. */
    public static final int MAX_QUEUED = 256;
    /** The API server rejects longer Event messages. */
    static final int MAX_MESSAGE = 1024;
    /** Where Events about cluster-scoped objects (a ClusterTrustPolicy) are kept, as kubectl looks for them. */
    static final String CLUSTER_EVENTS_NAMESPACE = "default";

    private final KubernetesClient client;
    private final Clock clock;
    private final String instance;
    private final ThreadPoolExecutor writer;

    public ClusterEvents(KubernetesClient client, Clock clock, String instance) {
        this.client = client;
        this.clock = clock;
        this.instance = instance;
        this.writer =
                new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_QUEUED), r -> {
                    Thread t = new Thread(r, "trustgate-events");
                    t.setDaemon(true);
                    return t;
                });
    }

    /** The object an Event is about. {@code namespace} is {@code null} for a cluster-scoped object. */
    public static ObjectReference about(String apiVersion, String kind, String namespace, String name, String uid) {
        return new ObjectReferenceBuilder()
                .withApiVersion(apiVersion)
                .withKind(kind)
                .withNamespace(namespace)
                .withName(name)
                .withUid(uid)
                .build();
    }

    /** Queues a Warning Event. */
    public void warning(ObjectReference object, String reason, String message) {
        emit(object, "Warning", reason, message);
    }

    /** Queues a Normal Event. */
    public void normal(ObjectReference object, String reason, String message) {
        emit(object, "Normal", reason, message);
    }

    private void emit(ObjectReference object, String type, String reason, String message) {
        Instant now = clock.instant();
        String ns = object.getNamespace() != null ? object.getNamespace() : CLUSTER_EVENTS_NAMESPACE;
        String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
        Event event = new EventBuilder()
                .withNewMetadata()
                .withNamespace(ns)
                .withName(object.getName() + "." + Long.toHexString(now.toEpochMilli())
                        + HexFormat.of()
                                .toHexDigits((byte) ThreadLocalRandom.current().nextInt()))
                .endMetadata()
                .withInvolvedObject(object)
                .withType(type)
                .withReason(reason)
                .withMessage(text)
                .withFirstTimestamp(now.toString())
                .withLastTimestamp(now.toString())
                .withCount(1)
                .withNewSource()
                .withComponent("trustgate")
                .endSource()
                .withReportingComponent("trustgate")
                .withReportingInstance(instance)
                .build();
        try {
            writer.execute(() -> write(event));
        } catch (RejectedExecutionException e) {
            LOG.debugf("event dropped (%d queued): %s %s", MAX_QUEUED, reason, object.getName());
        }
    }

    private void write(Event event) {
        try {
            client.v1()
                    .events()
                    .inNamespace(event.getMetadata().getNamespace())
                    .resource(event)
                    .create();
        } catch (KubernetesClientException e) {
            LOG.warnf(
                    "cannot write Event %s on %s/%s: HTTP %d",
                    event.getReason(),
                    event.getInvolvedObject().getKind(),
                    event.getInvolvedObject().getName(),
                    e.getCode());
        }
    }

    @Override
    public void close() {
        writer.shutdownNow();
    }
}
