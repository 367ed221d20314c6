package io.trustgate.transport;

/**
 * The bearer-token flow gave no token: the realm was refused before any request, or the token server refused,
 * failed or answered nonsense. The client that met the challenge turns it into its own exception (registry or
 * Notary) with the image or GUN it was fetching; the message here names the realm and never a credential.
 */
final class TokenException extends RuntimeException {

    /** Why there is no token. */
    enum Problem {
        /** The token server answered 401 or 403: no or wrong credentials. */
        REFUSED,
        /** The token server failed (5xx, 429), timed out, or could not be reached or spoken TLS to. */
        UNAVAILABLE,
        /** The realm is plain HTTP (or a redirect leads there) while the upstream was reached over HTTPS. */
        INSECURE_REALM,
        /** The token answer is over {@link TransportOptions#maxTokenBytes()}. */
        TOO_LARGE,
        /** No realm, a realm that is not an http(s) URL, or an answer that holds no token. */
        MISCONFIGURED
    }

    final Problem problem;
    /** The realm as the challenge named it (may be empty when there was none). */
    final String realm;
    /** HTTP status of the token server's answer, 0 when there was none. */
    final int status;

    TokenException(Problem problem, String realm, int status, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
        this.realm = realm;
        this.status = status;
    }
}
