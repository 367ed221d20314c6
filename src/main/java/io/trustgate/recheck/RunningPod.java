package io.trustgate.recheck;

import java.util.List;
import java.util.Objects;

/**
 * A running Pod reduced to what a recheck needs: where it runs, the workload that owns it, the digest each
 * container runs, and where its pull credentials come from. Nothing else of the Pod is kept, so the memory of
 * a recheck grows with the number of containers, not with the size of pod specs.
 *
 * @param workload the Pod's controller (its ownerReference with {@code controller: true}), or the Pod itself
 * @param images one entry per container (init, regular, ephemeral) with an image
 * @param imagePullSecrets the names of the Pod's pull secrets, for registries that need credentials
 */
public record RunningPod(
        String namespace,
        String name,
        String uid,
        Workload workload,
        List<RunningImage> images,
        List<String> imagePullSecrets,
        String serviceAccountName) {

    public RunningPod {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(workload, "workload");
        images = List.copyOf(images);
        imagePullSecrets = List.copyOf(imagePullSecrets);
    }

    /** The object a report result and an Event name: a Pod's controller, or a bare Pod. */
    public record Workload(String apiVersion, String kind, String name, String uid) {
        public Workload {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
        }

        /** {@code ReplicaSet/web-5d9c}. */
        @Override
        public String toString() {
            return kind + "/" + name;
        }
    }

    /**
     * One container's image.
     *
     * @param written the image as the pod spec names it
     * @param digest the digest the kubelet reported running ({@code status.containerStatuses[].imageID}), else the
     *     digest pinned in {@code written}, else {@code null} (the tag is then resolved, which may not be what
     *     runs)
     */
    public record RunningImage(String container, String written, String digest) {
        public RunningImage {
            Objects.requireNonNull(written, "written");
        }
    }

    /**
     * The digest of a {@code status.containerStatuses[].imageID}: {@code docker-pullable://repo@sha256:…} and
     * {@code repo@sha256:…} name the manifest that was pulled; a bare {@code sha256:…} is the image's config
     * id on some runtimes, not a manifest digest, and gives {@code null}.
     */
    public static String digestOfImageId(String imageId) {
        if (imageId == null) {
            return null;
        }
        int at = imageId.lastIndexOf('@');
        if (at < 0) {
            return null;
        }
        String digest = imageId.substring(at + 1);
        return digest.matches("sha256:[0-9a-f]{64}") ? digest : null;
    }
}
