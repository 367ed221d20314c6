package io.trustgate.registry;

/** Username and password (or token) for one registry. */
public record RegistryCredentials(String username, String password) {
    public static final RegistryCredentials ANONYMOUS = new RegistryCredentials(null, null);

    public boolean isAnonymous() {
        return username == null;
    }

    @Override
    public String toString() {
        return isAnonymous() ? "anonymous" : "user " + username;
    }
}
