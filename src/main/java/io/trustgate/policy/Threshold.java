package io.trustgate.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The verdict rule of a policy: at least {@code minSignatures} distinct signers, including every
 * {@code requiredSigners} entry. Signers the policy does not name never count.
 */
public final class Threshold {

    private Threshold() {}

    /** The outcome of the rule for one image. */
    public record Outcome(
            boolean satisfied, List<String> found, List<String> missing, List<String> missingRequired, int required) {}

    public static Outcome evaluate(Policy policy, Set<String> signersWithValidSignature) {
        List<String> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : policy.signerNames()) {
            if (signersWithValidSignature.contains(name)) {
                found.add(name);
            } else {
                missing.add(name);
            }
        }
        Set<String> missingRequired = new LinkedHashSet<>();
        for (String r : policy.requiredSigners()) {
            if (!found.contains(r)) {
                missingRequired.add(r);
            }
        }
        boolean ok = found.size() >= policy.minSignatures() && missingRequired.isEmpty();
        return new Outcome(
                ok, List.copyOf(found), List.copyOf(missing), List.copyOf(missingRequired), policy.minSignatures());
    }
}
