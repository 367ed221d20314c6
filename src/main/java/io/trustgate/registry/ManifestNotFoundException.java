package io.trustgate.registry;

/** The registry does not know the tag or digest (HTTP 404). */
public class ManifestNotFoundException extends RegistryException {

    public ManifestNotFoundException(
            String problem, String host, String repository, String reference, int status, String hint) {
        super(problem, host, repository, reference, status, hint, null);
    }

    public ManifestNotFoundException(
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
