package io.trustgate.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The parts of a pod spec trustgate reads, found in a Pod or in the pod template of a workload.
 *
 * @param images every image of containers, initContainers and ephemeralContainers, de-duplicated, in order
 * @param containersWithoutImage names of containers that have no image (a malformed object)
 */
public record PodTemplate(List<String> images, List<String> containersWithoutImage, List<String> imagePullSecrets,
        String serviceAccountName) {

    private static final String[] CONTAINER_LISTS = {"initContainers", "containers", "ephemeralContainers"};

    /**
     * Finds the pod spec of an object by its kind.
     *
     * @return {@code null} when the kind carries no pod spec (nothing to check)
     */
    public static PodTemplate of(String kind, JsonNode object) {
        JsonNode spec = switch (kind) {
            case "Pod" -> object.path("spec");
            case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController" ->
                    object.path("spec").path("template").path("spec");
            case "CronJob" -> object.path("spec").path("jobTemplate").path("spec").path("template").path("spec");
            default -> null;
        };
        if (spec == null || !spec.isObject()) {
            return null;
        }
        Set<String> images = new LinkedHashSet<>();
        List<String> missing = new ArrayList<>();
        for (String list : CONTAINER_LISTS) {
            for (JsonNode c : spec.path(list)) {
                JsonNode image = c.get("image");
                if (image == null || !image.isTextual() || image.asText().isEmpty()) {
                    missing.add(c.path("name").asText("<unnamed>"));
                } else {
                    images.add(image.asText());
                }
            }
        }
        List<String> secrets = new ArrayList<>();
        for (JsonNode s : spec.path("imagePullSecrets")) {
            String name = s.path("name").asText("");
            if (!name.isEmpty()) {
                secrets.add(name);
            }
        }
        String sa = spec.path("serviceAccountName").asText("");
        return new PodTemplate(List.copyOf(images), List.copyOf(missing), List.copyOf(secrets),
                sa.isEmpty() ? "default" : sa);
    }
}
