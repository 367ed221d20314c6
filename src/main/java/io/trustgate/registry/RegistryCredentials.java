package io.trustgate.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A user name and password (or token) for a registry. {@link #toString()} never shows the password.
 *
 * @param username {@code null} for {@link #ANONYMOUS}
 * @param password {@code null} for {@link #ANONYMOUS}
 */
public record RegistryCredentials(String username, String password) {

    /** No credentials: anonymous pulls and anonymous token requests. */
    public static final RegistryCredentials ANONYMOUS = new RegistryCredentials(null, null);

    public RegistryCredentials {
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("username and password are given together or not at all");
        }
    }

    public boolean isAnonymous() {
        return username == null;
    }

    /** The value of an {@code Authorization: Basic ...} header. */
    public String basicAuthorization() {
        if (isAnonymous()) {
            throw new IllegalStateException("anonymous credentials have no Authorization header");
        }
        return "Basic "
                + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return isAnonymous() ? "RegistryCredentials[anonymous]" : "RegistryCredentials[username=" + username + "]";
    }
}
