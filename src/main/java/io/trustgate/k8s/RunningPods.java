package io.trustgate.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.trustgate.recheck.RunningPod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The running Pods of the cluster (field selector {@code status.phase=Running}), watched by an informer whose
 * store keeps each Pod reduced to a {@link RunningPod}: namespace, name, controller, per container the image as
 * written and the digest the kubelet reported, and the pull-secret names. Pod specs, env and volumes are dropped
 * as each object arrives, so memory grows with containers, not with spec sizes.
 */
public final class RunningPods implements AutoCloseable {

    private final KubernetesClient client;
    private final ReducedStore store = new ReducedStore();
    private SharedIndexInformer<Pod> informer;

    public RunningPods(KubernetesClient client) {
        this.client = client;
    }

    /** Starts the informer and blocks until its first list is in the store. */
    public RunningPods start() {
        informer = client.pods()
                .inAnyNamespace()
                .withField("status.phase", "Running")
                .runnableInformer(0)
                .itemStore(store);
        informer.run();
        return this;
    }

    /** The Pods running now, as last seen. */
    public List<RunningPod> snapshot() {
        return List.copyOf(store.reduced.values()).stream().map(Entry::pod).toList();
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }

    /** A Pod reduced, with what the informer needs to tell versions apart. */
    private record Entry(RunningPod pod, String resourceVersion) {}

    /** The informer's store: keeps the reduced Pod and gives the informer back a skeleton with its metadata. */
    private static final class ReducedStore implements ItemStore<Pod> {
        final Map<String, Entry> reduced = new ConcurrentHashMap<>();

        @Override
        public String getKey(Pod pod) {
            return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        }

        @Override
        public Pod put(String key, Pod pod) {
            return skeleton(
                    reduced.put(key, new Entry(reduce(pod), pod.getMetadata().getResourceVersion())));
        }

        @Override
        public Pod remove(String key) {
            return skeleton(reduced.remove(key));
        }

        @Override
        public Stream<String> keySet() {
            return reduced.keySet().stream();
        }

        @Override
        public Stream<Pod> values() {
            return reduced.values().stream().map(ReducedStore::skeleton);
        }

        @Override
        public int size() {
            return reduced.size();
        }

        @Override
        public Pod get(String key) {
            return skeleton(reduced.get(key));
        }

        @Override
        public boolean isFullState() {
            return false;
        }

        private static Pod skeleton(Entry e) {
            if (e == null) {
                return null;
            }
            return new PodBuilder()
                    .withMetadata(new ObjectMetaBuilder()
                            .withNamespace(e.pod().namespace())
                            .withName(e.pod().name())
                            .withUid(e.pod().uid())
                            .withResourceVersion(e.resourceVersion())
                            .build())
                    .build();
        }
    }

    /** The parts of a Pod a recheck reads. */
    static RunningPod reduce(Pod pod) {
        var meta = pod.getMetadata();
        RunningPod.Workload workload = new RunningPod.Workload("v1", "Pod", meta.getName(), meta.getUid());
        for (OwnerReference owner : nonNull(meta.getOwnerReferences())) {
            if (Boolean.TRUE.equals(owner.getController())) {
                workload = new RunningPod.Workload(
                        owner.getApiVersion(), owner.getKind(), owner.getName(), owner.getUid());
            }
        }
        Map<String, String> digests = new HashMap<>();
        if (pod.getStatus() != null) {
            Stream.of(
                            pod.getStatus().getInitContainerStatuses(),
                            pod.getStatus().getContainerStatuses(),
                            pod.getStatus().getEphemeralContainerStatuses())
                    .flatMap(l -> nonNull(l).stream())
                    .forEach(s -> digests.put(statusKey(s), RunningPod.digestOfImageId(s.getImageID())));
        }
        List<RunningPod.RunningImage> images = new ArrayList<>();
        var spec = pod.getSpec();
        if (spec != null) {
            for (Container c : nonNull(spec.getInitContainers())) {
                add(images, c.getName(), c.getImage(), digests);
            }
            for (Container c : nonNull(spec.getContainers())) {
                add(images, c.getName(), c.getImage(), digests);
            }
            for (EphemeralContainer c : nonNull(spec.getEphemeralContainers())) {
                add(images, c.getName(), c.getImage(), digests);
            }
        }
        List<String> pullSecrets = spec == null
                ? List.of()
                : nonNull(spec.getImagePullSecrets()).stream()
                        .map(LocalObjectReference::getName)
                        .filter(Objects::nonNull)
                        .toList();
        String sa = spec == null || spec.getServiceAccountName() == null ? "default" : spec.getServiceAccountName();
        return new RunningPod(meta.getNamespace(), meta.getName(), meta.getUid(), workload, images, pullSecrets, sa);
    }

    private static String statusKey(ContainerStatus s) {
        return s.getName();
    }

    private static void add(
            List<RunningPod.RunningImage> out, String container, String image, Map<String, String> digests) {
        if (image == null || image.isBlank()) {
            return;
        }
        String digest = digests.get(container);
        if (digest == null) {
            int at = image.lastIndexOf('@');
            digest = at >= 0 ? RunningPod.digestOfImageId(image) : null;
        }
        out.add(new RunningPod.RunningImage(container, image, digest));
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }
}
