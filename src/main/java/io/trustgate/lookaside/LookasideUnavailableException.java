package io.trustgate.lookaside;

/** The store could not be reached: connection refused, TLS failure, timeout, 5xx, unreadable file. */
public class LookasideUnavailableException extends LookasideException {

    public LookasideUnavailableException(String problem, String url, int status, String hint, Throwable cause) {
        super(problem, url, status, hint, cause);
    }
}
