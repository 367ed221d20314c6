package io.trustgate.policy;

import io.trustgate.image.ImageReference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The valid TrustExceptions of the cluster, by namespace: an immutable snapshot published with the policies
 * ({@link PolicySet#exceptions()}). Admission and the background recheck ask the same question of it,
 * {@link #applicable}.
 */
public final class TrustExceptions {

    public static final TrustExceptions NONE = new TrustExceptions(List.of());

    private final List<Exemption> all;
    private final Map<String, List<Exemption>> byNamespace;

    public TrustExceptions(List<Exemption> exemptions) {
        this.all =
                exemptions.stream().sorted(Comparator.comparing(Exemption::ref)).toList();
        Map<String, List<Exemption>> grouped = new HashMap<>();
        for (Exemption e : all) {
            grouped.computeIfAbsent(e.namespace(), k -> new ArrayList<>()).add(e);
        }
        grouped.replaceAll((k, v) -> List.copyOf(v));
        this.byNamespace = Map.copyOf(grouped);
    }

    /** Every valid exception, expired or not, sorted by {@code namespace/name}. */
    public List<Exemption> all() {
        return all;
    }

    public boolean isEmpty() {
        return all.isEmpty();
    }

    /**
     * The exception that exempts {@code image} in {@code namespace} from {@code policy} at {@code now}, if any: one
     * of the namespace's exceptions that names the image and the policy, has not expired, and fits the policy's
     * {@link ExemptionRule} (the policy allows exceptions, and the exception lives no longer than it allows). When
     * several apply, the one expiring last is returned (it is the one the workload relies on longest).
     */
    public Optional<Exemption> applicable(String namespace, ImageReference image, Policy policy, Instant now) {
        List<Exemption> candidates = byNamespace.get(namespace);
        if (candidates == null) {
            return Optional.empty();
        }
        Exemption best = null;
        for (Exemption e : candidates) {
            if (e.activeAt(now)
                    && e.names(policy.id())
                    && policy.exemptions().refusal(e) == null
                    && e.matches(image)
                    && (best == null || e.expires().isAfter(best.expires()))) {
                best = e;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The earliest expiry after {@code now}, when a status and an Event must say an exception stopped applying. */
    public Optional<Instant> nextExpiry(Instant now) {
        return all.stream().map(Exemption::expires).filter(now::isBefore).min(Comparator.naturalOrder());
    }
}
