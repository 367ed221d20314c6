package io.trustgate.verify;

import io.trustgate.image.ImageReference;
import java.time.Instant;
import java.util.List;

/**
 * The verdicts of every policy that governs one image.
 *
 * @param digest the digest the verdicts are about, or {@code null} when the tag could not be resolved
 * @param resolutionError why the tag could not be resolved, or {@code null}
 */
public record ImageVerdict(ImageReference image, String digest, List<PolicyVerdict> verdicts,
        String resolutionError) {

    public ImageVerdict {
        verdicts = List.copyOf(verdicts);
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
