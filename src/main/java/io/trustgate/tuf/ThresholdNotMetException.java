package io.trustgate.tuf;

import java.util.List;
import java.util.Set;

/** A role's metadata does not carry valid signatures by enough distinct keys of that role. */
public final class ThresholdNotMetException extends TrustDataException {
    private final int threshold;
    private final Set<String> validKeyIds;
    private final List<RejectedSignature> rejected;

    public ThresholdNotMetException(
            String role, int threshold, Set<String> validKeyIds, List<RejectedSignature> rejected) {
        super(
                role,
                role + " has valid signatures by " + validKeyIds.size() + " of the " + threshold + " keys required "
                        + validKeyIds + "; rejected signatures: " + rejected);
        this.threshold = threshold;
        this.validKeyIds = Set.copyOf(validKeyIds);
        this.rejected = List.copyOf(rejected);
    }

    public int threshold() {
        return threshold;
    }

    public Set<String> validKeyIds() {
        return validKeyIds;
    }

    public List<RejectedSignature> rejected() {
        return rejected;
    }

    /**
     * A signature that did not count towards the threshold, and why.
     *
     * @param keyId the key id the signature names
     * @param method the signature method it declares
     * @param reason why it was not counted
     */
    public record RejectedSignature(String keyId, String method, String reason) {
        @Override
        public String toString() {
            return keyId + " (" + method + "): " + reason;
        }
    }
}
