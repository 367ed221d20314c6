package io.trustgate.registry;

/** The registry could not be reached: connection refused, TLS failure, timeout, or a 5xx answer. Worth retrying. */
public class RegistryUnavailableException extends RegistryException {

    public RegistryUnavailableException(
            String problem, String host, String repository, String reference, int status, String hint) {
        super(problem, host, repository, reference, status, hint, null);
    }

    public RegistryUnavailableException(
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
