package io.trustgate.notary;

/**
 * A delegated targets role whose trust data failed verification, left out of an update.
 *
 * @param role   e.g. {@code targets/releases}
 * @param reason the verification failure, one line
 */
public record RejectedRole(String role, String reason) {
}
