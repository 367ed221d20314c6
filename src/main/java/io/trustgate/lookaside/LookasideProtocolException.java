package io.trustgate.lookaside;

/** The store answered what trustgate will not accept: a file over the size limit, an unexpected status, a redirect to plain HTTP. */
public class LookasideProtocolException extends LookasideException {

    public LookasideProtocolException(String problem, String url, int status, String hint, Throwable cause) {
        super(problem, url, status, hint, cause);
    }
}
