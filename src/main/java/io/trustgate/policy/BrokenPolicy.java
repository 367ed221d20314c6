package io.trustgate.policy;

import io.trustgate.image.ImageReference;
import java.util.List;
import java.util.Map;

/**
 * A policy that failed to load. It never lets through what it would have rejected: every image it
 * claims is treated as failing it, under the policy's mode (Enforce denies, Warn warns, Audit records), with a
 * message naming the policy and the error. When even its {@code images} or namespaceSelector could not be read,
 * it claims every image in its scope (fail closed); when its mode could not be read, it enforces.
 *
 * @param images the patterns that could be compiled, or empty when none could be read
 * @param namespaceSelector {@code null} when it could not be read (then it applies everywhere)
 * @param mode the policy's {@code spec.mode}, or Enforce when it could not be read
 */
public record BrokenPolicy(
        PolicyId id, List<ImagePattern> images, LabelSelector namespaceSelector, String error, Mode mode) {

    public BrokenPolicy {
        images = List.copyOf(images);
        mode = mode == null ? Mode.Enforce : mode;
    }

    /** A broken policy that enforces. */
    public BrokenPolicy(PolicyId id, List<ImagePattern> images, LabelSelector namespaceSelector, String error) {
        this(id, images, namespaceSelector, error, Mode.Enforce);
    }

    public boolean claims(String namespace, Map<String, String> namespaceLabels, ImageReference image) {
        return selects(namespace, namespaceLabels)
                && (images.isEmpty() || images.stream().anyMatch(p -> p.matches(image)));
    }

    /** Whether it applies in {@code namespace} at all, whatever the image. */
    public boolean selects(String namespace, Map<String, String> namespaceLabels) {
        if (!id.isCluster()) {
            return id.namespace().equals(namespace);
        }
        return namespaceSelector == null || namespaceSelector.matches(namespaceLabels);
    }
}
