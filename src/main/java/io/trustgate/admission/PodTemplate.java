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
 * @param fields every image field, with its JSON Pointer in the object (where /mutate writes a pinned image)
 */
public record PodTemplate(
        List<String> images,
        List<String> containersWithoutImage,
        List<String> imagePullSecrets,
        String serviceAccountName,
        List<ImageField> fields) {

    private static final String[] CONTAINER_LISTS = {"initContainers", "containers", "ephemeralContainers"};

    /**
     * One container's image field.
     *
     * @param pointer RFC 6901 JSON Pointer to the field, e.g. {@code /spec/template/spec/containers/0/image}
     * @param list {@code initContainers}, {@code containers} or {@code ephemeralContainers}
     * @param image the image as written
     */
    public record ImageField(String pointer, String list, String image) {}

    /**
     * Finds the pod spec of an object by its kind.
     *
     * @return {@code null} when the kind carries no pod spec (nothing to check)
     */
    public static PodTemplate of(String kind, JsonNode object) {
        String[] path = specPath(kind);
        if (path == null) {
            return null;
        }
        JsonNode spec = object;
        for (String key : path) {
            spec = spec.path(key);
        }
        if (!spec.isObject()) {
            return null;
        }
        String prefix = pointer(path);
        Set<String> images = new LinkedHashSet<>();
        List<String> missing = new ArrayList<>();
        List<ImageField> fields = new ArrayList<>();
        for (String list : CONTAINER_LISTS) {
            int index = 0;
            for (JsonNode c : spec.path(list)) {
                JsonNode image = c.get("image");
                if (image == null || !image.isTextual() || image.asText().isEmpty()) {
                    missing.add(c.path("name").asText("<unnamed>"));
                } else {
                    images.add(image.asText());
                    String pointer = prefix + "/" + escape(list) + "/" + index + "/image";
                    fields.add(new ImageField(pointer, list, image.asText()));
                }
                index++;
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
        return new PodTemplate(
                List.copyOf(images),
                List.copyOf(missing),
                List.copyOf(secrets),
                sa.isEmpty() ? "default" : sa,
                List.copyOf(fields));
    }

    /** Whether the kind is a Pod (pods and pods/ephemeralcontainers), not a workload's template. */
    public static boolean isPod(String kind) {
        return "Pod".equals(kind);
    }

    /** The keys from the object down to its pod spec, or {@code null} when the kind carries none. */
    private static String[] specPath(String kind) {
        return switch (kind) {
            case "Pod" -> new String[] {"spec"};
            case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController" ->
                new String[] {"spec", "template", "spec"};
            case "CronJob" -> new String[] {"spec", "jobTemplate", "spec", "template", "spec"};
            default -> null;
        };
    }

    private static String pointer(String[] keys) {
        StringBuilder sb = new StringBuilder();
        for (String key : keys) {
            sb.append('/').append(escape(key));
        }
        return sb.toString();
    }

    /** RFC 6901 section 3: {@code ~} is written {@code ~0} and {@code /} is written {@code ~1}. */
    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
