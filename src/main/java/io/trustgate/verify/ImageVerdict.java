package io.trustgate.verify;

import io.trustgate.image.ImageReference;
import java.time.Instant;
import java.util.List;

/**
 * The verdicts of every policy that governs one image.
 *
 * @param digest the digest the verdicts are about, or {@code null} when the tag could not be resolved
 * @param resolutionError why the tag could not be resolved, or {@code null}
 * @param pinRequired the tag could not be resolved now (registry unreachable or slow), and the verdicts are the
 *     last good ones for this tag, about {@code digest}, which may no longer be what the tag points at. Such a
 *     verdict admits a pod only if the pod is pinned to {@code digest} (by {@code /mutate}) so that it runs what
 *     was verified; {@code /validate} must deny it, since the tag's current digest is unknown.
 */
public record ImageVerdict(
        ImageReference image,
        String digest,
        List<PolicyVerdict> verdicts,
        String resolutionError,
        boolean pinRequired) {

    public ImageVerdict {
        verdicts = List.copyOf(verdicts);
        if (pinRequired && digest == null) {
            throw new IllegalArgumentException("a verdict that requires pinning must name the digest to pin");
        }
    }

    /** A verdict about the digest resolved now (or the reference's own). */
    public ImageVerdict(ImageReference image, String digest, List<PolicyVerdict> verdicts, String resolutionError) {
        this(image, digest, verdicts, resolutionError, false);
    }

    /** The earliest expiry of the trust data behind the verdicts, or {@code null}. */
    public Instant expiresAt() {
        Instant earliest = null;
        for (PolicyVerdict v : verdicts) {
            Instant e = v.findings().expiresAt();
            if (e != null && (earliest == null || e.isBefore(earliest))) {
                earliest = e;
            }
        }
        return earliest;
    }
}
