package io.trustgate.transport;

import io.trustgate.notary.TrustDataFetchException;

/**
 * A Notary server gave no usable answer for a metadata file: unreachable, TLS, timeout, over the size
 * limit, refused authentication, or an unexpected status. (A 404 is
 * {@link io.trustgate.notary.TrustDataNotFoundException}, which the TUF client interprets.)
 *
 * <p>The message names the URL and what to do, in one line, so that it can be shown in a denial as is. It is
 * {@linkplain #unavailable() unavailable} when there was no answer (connection, TLS, timeout) or the answer
 * was 5xx, 408 or 429, exactly as registry and lookaside failures are classified.
 */
public final class NotaryFetchException extends TrustDataFetchException {

    private final String url;
    private final int status;

    NotaryFetchException(String message, String url, int status, Throwable cause) {
        super(message, classify(status, cause), cause);
        this.url = url;
        this.status = status;
    }

    private static boolean classify(int status, Throwable cause) {
        if (status > 0) {
            return unavailableStatus(status);
        }
        return cause instanceof HttpFetcher.FetchException f
                && switch (f.failure) {
                    case CONNECT, TIMEOUT, TLS, UNTRUSTED -> true;
                    case TOO_LARGE, DOWNGRADE, TOO_MANY_REDIRECTS, BAD_URL -> false;
                };
    }

    /** The URL being fetched when the failure happened. */
    public String url() {
        return url;
    }

    /** The HTTP status of the answer, or 0 when there was none. */
    public int status() {
        return status;
    }
}
