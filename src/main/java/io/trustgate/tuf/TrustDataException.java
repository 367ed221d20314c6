package io.trustgate.tuf;

/**
 * Base of every failure to establish trust in Notary v1 / TUF metadata; each subtype carries its evidence.
 *
 * <p>Unchecked so that it travels through {@link java.util.concurrent.CompletableFuture} stages unchanged;
 * callers branch on the subtype, never on the message text.
 */
public abstract class TrustDataException extends RuntimeException {
    private final String role;

    protected TrustDataException(String role, String message) {
        super(message);
        this.role = role;
    }

    protected TrustDataException(String role, String message, Throwable cause) {
        super(message, cause);
        this.role = role;
    }

    /** The TUF role the failure concerns ({@code root}, {@code targets/releases}...), or {@code null}. */
    public String role() {
        return role;
    }
}
