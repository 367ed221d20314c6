package io.trustgate.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.trustgate.recheck.RunningPod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The top-level owner of each running Pod's controller, for one recheck: a Deployment's Pods are reported under the
 * Deployment (not the ReplicaSet a rollout made), a CronJob's under the CronJob. Only ReplicaSets and Jobs are
 * looked up (the controllers that other controllers make); the owner is taken from their controller
 * ownerReference when the object is readable and is the one the Pod names (same uid). Otherwise, or past
 * {@link #MAX_LOOKUPS} lookups, the Pod's own controller stays. Each object is looked up at most once per instance;
 * make one instance per recheck, so a new rollout is seen at the next one.
 */
final class Owners {

    private static final Logger LOG = Logger.getLogger(Owners.class);

    /** Most GETs of one recheck; past them, Pods keep their direct controller. */
    static final int MAX_LOOKUPS = 2_000;
    /** Most owners climbed from a Pod's controller (a Job of a CronJob is one). */
    static final int MAX_DEPTH = 3;

    private final KubernetesClient client;
    /** Per {@code namespace/kind/name/uid}: the owner found, or the workload itself when none is. */
    private final Map<String, RunningPod.Workload> cache = new HashMap<>();

    private int lookups;
    private boolean forbiddenLogged;

    Owners(KubernetesClient client) {
        this.client = client;
    }

    /** {@code pods} with each workload replaced by its top-level owner where one is readable. */
    List<RunningPod> topLevel(List<RunningPod> pods) {
        List<RunningPod> out = new ArrayList<>(pods.size());
        for (RunningPod p : pods) {
            RunningPod.Workload top = top(p.namespace(), p.workload());
            out.add(
                    top.equals(p.workload())
                            ? p
                            : new RunningPod(
                                    p.namespace(),
                                    p.name(),
                                    p.uid(),
                                    top,
                                    p.images(),
                                    p.imagePullSecrets(),
                                    p.serviceAccountName()));
        }
        return out;
    }

    int lookups() {
        return lookups;
    }

    RunningPod.Workload top(String namespace, RunningPod.Workload workload) {
        RunningPod.Workload current = workload;
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            RunningPod.Workload up = owner(namespace, current);
            if (up.equals(current)) {
                return current;
            }
            current = up;
        }
        return current;
    }

    private RunningPod.Workload owner(String namespace, RunningPod.Workload w) {
        boolean replicaSet = "ReplicaSet".equals(w.kind()) && "apps/v1".equals(w.apiVersion());
        boolean job = "Job".equals(w.kind()) && "batch/v1".equals(w.apiVersion());
        if (!replicaSet && !job) {
            return w;
        }
        String key = namespace + "/" + w.kind() + "/" + w.name() + "/" + w.uid();
        RunningPod.Workload cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        if (lookups >= MAX_LOOKUPS) {
            return w;
        }
        lookups++;
        RunningPod.Workload found = w;
        try {
            HasMetadata object = replicaSet
                    ? client.apps()
                            .replicaSets()
                            .inNamespace(namespace)
                            .withName(w.name())
                            .get()
                    : client.batch()
                            .v1()
                            .jobs()
                            .inNamespace(namespace)
                            .withName(w.name())
                            .get();
            if (object != null
                    && (w.uid() == null || w.uid().equals(object.getMetadata().getUid()))) {
                for (OwnerReference o : nonNull(object.getMetadata().getOwnerReferences())) {
                    if (Boolean.TRUE.equals(o.getController()) && o.getKind() != null && o.getName() != null) {
                        found = new RunningPod.Workload(o.getApiVersion(), o.getKind(), o.getName(), o.getUid());
                    }
                }
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403 && !forbiddenLogged) {
                forbiddenLogged = true;
                LOG.infof(
                        "cannot read %s objects (HTTP 403): reports name Pods' direct controllers; the chart grants"
                                + " get on replicasets and jobs",
                        w.kind());
            } else {
                LOG.debugf("owner of %s/%s not read: %s", namespace, w, e.getMessage());
            }
        }
        cache.put(key, found);
        return found;
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }
}
