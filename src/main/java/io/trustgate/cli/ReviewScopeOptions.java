package io.trustgate.cli;

import io.trustgate.config.Setting;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options {@code check} and {@code inspect} share to judge an image as the cluster would: the namespace whose
 * policies apply, its labels (which the cluster knows and a policy directory does not), and the registries reached
 * over plain HTTP.
 */
final class ReviewScopeOptions {

    @Option(
            names = {"-n", "--namespace"},
            paramLabel = "NS",
            defaultValue = "default",
            description = "The namespace whose policies apply, and of objects that name none (default: "
                    + "${DEFAULT-VALUE}).")
    String namespace;

    @Option(
            names = {"-l", "--namespace-label"},
            paramLabel = "KEY=VALUE",
            description =
                    "A label of the namespace(s), for ClusterTrustPolicy namespaceSelectors (the cluster knows them; "
                            + "a policy directory does not). Repeatable.")
    Map<String, String> namespaceLabels = new LinkedHashMap<>();

    @Option(
            names = "--insecure-registry",
            paramLabel = "HOST:PORT",
            description =
                    "A registry reached over plain HTTP (also $TRUSTGATE_INSECURE_REGISTRIES, comma-separated). Repeatable.")
    List<String> insecureRegistries = new ArrayList<>();

    /** The namespace labels given, as an immutable map. */
    Map<String, String> labels() {
        return Map.copyOf(namespaceLabels);
    }

    /** Puts the insecure registries given, added to those of {@code env}'s variable, in {@code flags}. */
    void putInsecureRegistries(Map<String, String> env, Map<Setting, String> flags) {
        if (!insecureRegistries.isEmpty()) {
            List<String> insecure = new ArrayList<>(insecureRegistries); // adds to the variable's list
            Optional.ofNullable(env.get(Setting.INSECURE_REGISTRIES.env())).ifPresent(insecure::add);
            flags.put(Setting.INSECURE_REGISTRIES, String.join(",", insecure));
        }
    }
}
