package io.trustgate.registry;

/** The registry refused the request even after authenticating (HTTP 401 or 403), or the token server refused the credentials. */
public class RegistryAuthException extends RegistryException {

    public RegistryAuthException(
            String problem, String host, String repository, String reference, int status, String hint) {
        super(problem, host, repository, reference, status, hint, null);
    }

    public RegistryAuthException(
            String problem,
            String host,
            String repository,
            String reference,
            int status,
            String hint,
            Throwable cause) {
        super(problem, host, repository, reference, status, hint, cause);
    }
}
