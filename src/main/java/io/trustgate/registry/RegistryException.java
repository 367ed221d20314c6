package io.trustgate.registry;

/**
 * A registry could not answer a question about an image. Carries the evidence a rejection message needs:
 * the registry host, the repository, the reference asked for, the HTTP status (0 when there was no answer)
 * and what an operator can do about it.
 */
public abstract class RegistryException extends RuntimeException {

    private final String host;
    private final String repository;
    private final String reference;
    private final int status;
    private final String hint;

    protected RegistryException(
            String problem,
            String host,
            String repository,
            String reference,
            int status,
            String hint,
            Throwable cause) {
        super(message(problem, host, reference, status, hint), cause);
        this.host = host;
        this.repository = repository;
        this.reference = reference;
        this.status = status;
        this.hint = hint;
    }

    private static String message(String problem, String host, String reference, int status, String hint) {
        StringBuilder sb =
                new StringBuilder("registry ").append(host).append(": ").append(problem);
        if (reference != null) {
            sb.append(" for ").append(reference);
        }
        if (status > 0) {
            sb.append(" (HTTP ").append(status).append(')');
        }
        if (hint != null && !hint.isEmpty()) {
            sb.append(". ").append(hint);
        }
        return sb.toString();
    }

    /** Registry host as in the image reference, e.g. {@code 127.0.0.1:5000}. */
    public String host() {
        return host;
    }

    /** Repository path inside the registry, e.g. {@code demo/app}. */
    public String repository() {
        return repository;
    }

    /** The image reference asked for, as the user wrote it after normalisation. */
    public String reference() {
        return reference;
    }

    /** HTTP status of the failing answer, or 0 when there was none. */
    public int status() {
        return status;
    }

    /** What to do about it. */
    public String hint() {
        return hint;
    }
}
