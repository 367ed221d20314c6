package io.trustgate.install;

import io.trustgate.testing.ChartRenderer;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What {@code k8s/trustgate.yaml} holds: the chart rendered with its default values as release
 * "trustgate" in namespace "trustgate", preceded by that Namespace, for {@code kubectl apply -f k8s/}.
 *
 * <p>The chart generates a CA and a serving certificate at render time, so two renders differ in
 * exactly the Secret's {@code ca.crt}/{@code tls.crt}/{@code tls.key} and the webhook's {@code caBundle}.
 * The committed file carries the marker {@code <generated>} there instead ({@link #masked}): no private
 * key is ever committed, and {@code make certs} (scripts/k8s-certs.sh) fills in a fresh CA and serving
 * certificate made with openssl before {@code kubectl apply}. The drift check compares masked texts,
 * so it holds before and after {@code make certs}.
 */
final class K8sManifests {

    static final String RELEASE = "trustgate";
    static final String NAMESPACE = "trustgate";
    private static final Pattern CERT_LINES =
            Pattern.compile("(?m)^(\\s+(?:ca\\.crt|tls\\.crt|tls\\.key|caBundle)): \\S+$");

    private K8sManifests() {}

    static String render() {
        String rendered = ChartRenderer.template(RELEASE, NAMESPACE, Map.of());
        return """
                # trustgate, rendered from Chart/ with its default values by `make manifests` (do not edit).
                # Install: make certs && kubectl apply -f k8s/crds/ && kubectl apply -f k8s/
                # `make certs` fills the certificate fields marked "generated" below with a fresh CA and
                # serving certificate (scripts/k8s-certs.sh); no key is committed.
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %s
                """.formatted(NAMESPACE) + rendered;
    }

    /** The text with the generated certificate material replaced by a fixed marker. */
    static String masked(String manifests) {
        return CERT_LINES.matcher(manifests).replaceAll("$1: <generated>");
    }
}
