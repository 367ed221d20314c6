package io.trustgate.registry;

/** The registry answered something trustgate cannot trust: a digest that does not match, a body over the limit, a malformed header, a redirect to plain HTTP. */
public class RegistryProtocolException extends RegistryException {

    public RegistryProtocolException(
            String problem, String host, String repository, String reference, int status, String hint) {
        super(problem, host, repository, reference, status, hint, null);
    }

    public RegistryProtocolException(
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
