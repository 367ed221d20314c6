package io.trustgate.notary;

/**
 * A Notary server gave no usable answer for a metadata file (the transport's failures extend this), classified
 * like registry and lookaside failures: {@link #unavailable()} when the server could not be reached, timed out,
 * or answered 5xx, 408 or 429, so the answer says nothing about the trust data and is worth retrying; otherwise
 * a problem (refused authentication, an answer too large, a redirect to plain HTTP, an unexpected status).
 */
public class TrustDataFetchException extends RuntimeException {

    private final boolean unavailable;

    protected TrustDataFetchException(String message, boolean unavailable, Throwable cause) {
        super(message, cause);
        this.unavailable = unavailable;
    }

    /** Whether the server was unreachable or failed (retry later), as opposed to answering something unusable. */
    public boolean unavailable() {
        return unavailable;
    }

    /** The HTTP statuses that say the server failed, not that the request was wrong. */
    public static boolean unavailableStatus(int status) {
        return status >= 500 || status == 408 || status == 429;
    }
}
