package io.trustgate.transport;

/**
 * A Notary server gave no usable answer for a metadata file: unreachable, TLS, timeout, over the size
 * limit, refused authentication, or an unexpected status. (A 404 is
 * {@link io.trustgate.notary.TrustDataNotFoundException}, which the TUF client interprets.)
 *
 * <p>The message names the URL and what to do, in one line, so that it can be shown in a denial as is.
 */
public final class NotaryFetchException extends RuntimeException {

    private final String url;
    private final int status;

    NotaryFetchException(String message, String url, int status, Throwable cause) {
        super(message, cause);
        this.url = url;
        this.status = status;
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
