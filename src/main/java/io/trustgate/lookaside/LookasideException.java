package io.trustgate.lookaside;

/**
 * Signatures could not be read from a lookaside store. Carries the URL of the signature file that failed,
 * the HTTP status (0 when there was no answer) and what to do.
 */
public class LookasideException extends RuntimeException {

    private final String url;
    private final int status;
    private final String hint;

    public LookasideException(String problem, String url, int status, String hint, Throwable cause) {
        super(
                "lookaside " + url + ": " + problem + (status > 0 ? " (HTTP " + status + ")" : "")
                        + (hint == null || hint.isEmpty() ? "" : ". " + hint),
                cause);
        this.url = url;
        this.status = status;
        this.hint = hint;
    }

    public String url() {
        return url;
    }

    public int status() {
        return status;
    }

    public String hint() {
        return hint;
    }
}
