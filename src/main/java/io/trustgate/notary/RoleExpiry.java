package io.trustgate.notary;

import java.time.Instant;

/**
 * When one piece of the trust data used expires, for "expires soon" warnings and cache lifetimes.
 *
 * @param role    a role name, or {@link #ROOT_CERTIFICATE}
 * @param expires the expiry
 */
public record RoleExpiry(String role, Instant expires) {
    /** The entry for the certificates of the root keys, which expire independently of root.json. */
    public static final String ROOT_CERTIFICATE = "root certificate";
}
