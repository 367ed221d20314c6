package io.trustgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.admission.AdmissionHandler;
import io.trustgate.admission.MalformedReviewException;
import io.trustgate.admission.NamespaceLabels;
import io.trustgate.admission.PodTemplate;
import io.trustgate.config.Setting;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.k8s.PolicyDirectory;
import io.trustgate.k8s.SecretPullCredentials;
import io.trustgate.policy.BrokenPolicy;
import io.trustgate.runtime.VerifierStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code trustgate check}: the verdict and message the cluster would give, for the objects of manifests and
 * for bare images, from a directory of policies. Each object becomes an AdmissionReview that
 * {@link AdmissionHandler#decide} answers, exactly as the webhook does.
 */
@Command(
        name = "check",
        sortOptions = false,
        description = {
            "Gives the verdict and message the cluster would give to the objects of manifests and to images.",
            "Each IMAGE is checked as a one-container Pod."
        })
final class CheckCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    SettingsOptions settingsOptions = new SettingsOptions();

    @Option(
            names = "--policies",
            paramLabel = "DIR",
            description =
                    "Directory of TrustPolicy, ClusterTrustPolicy and Secret YAML (default: $TRUSTGATE_POLICIES_DIR, else policies/).")
    Path policies;

    @Mixin
    ReviewScopeOptions scope = new ReviewScopeOptions();

    @Option(
            names = {"-f", "--filename"},
            paramLabel = "MANIFEST",
            description = "YAML or JSON of Kubernetes objects (multi-document; '-' reads stdin). Repeatable.")
    List<String> files = new ArrayList<>();

    @Parameters(paramLabel = "IMAGE", arity = "0..*", description = "Images to check, each as a one-container Pod.")
    List<String> images = new ArrayList<>();

    @Option(
            names = {"-o", "--output"},
            paramLabel = "text|json",
            defaultValue = "text",
            description = "text (one line per object) or json (an array).")
    Output output;

    @Option(
            names = "--unmatched",
            paramLabel = "deny|allow",
            description = "What to do with images no policy governs (default: $TRUSTGATE_UNMATCHED, else deny).")
    AdmissionHandler.Unmatched unmatched;

    /** One line of the answer. */
    record Verdict(String object, String namespace, boolean allowed, String message, List<String> warnings) {}

    private record Target(String object, String namespace, String kind, JsonNode body) {}

    @Override
    public Integer call() throws Exception {
        if (files.isEmpty() && images.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "name at least one IMAGE or -f MANIFEST to check");
        }
        Map<String, String> env = main.env();
        PrintWriter err = spec.commandLine().getErr();

        List<Target> targets = new ArrayList<>();
        int skipped = 0;
        for (String file : files) {
            for (Manifests.Manifest m : Manifests.read(file, main.stdin())) {
                if (PodTemplate.of(m.kind(), m.object()) == null) {
                    skipped++; // a Service, a ConfigMap...: nothing the webhook would check
                    continue;
                }
                targets.add(new Target(m.kind() + "/" + m.name(), m.namespace(scope.namespace), m.kind(), m.object()));
            }
        }
        for (String image : images) {
            targets.add(new Target("image/" + image, scope.namespace, "Pod", pod(image)));
        }
        if (targets.isEmpty()) {
            err.println("trustgate: no Pod or workload found in " + String.join(", ", files) + " (" + skipped
                    + " other objects skipped)");
        }

        TrustgateSettings settings = settings(env);
        Path dir = settings.policies().dir().orElse(Path.of("policies"));
        String trustgateNamespace = settings.policies().namespace();
        PolicyDirectory.Snapshot snapshot;
        try {
            snapshot = new PolicyDirectory(dir, trustgateNamespace, VerifierStack.keyCheck()).snapshot();
        } catch (IOException e) {
            throw new CliException("cannot read policies: " + Main.oneLine(e), e);
        }
        for (BrokenPolicy b : snapshot.policies().broken()) {
            err.println("trustgate: warning: policy " + b.id() + " is broken and denies the images it claims: "
                    + b.error());
        }

        SecretPullCredentials credentials = new SecretPullCredentials(
                (ns, name) -> Optional.ofNullable(snapshot.secrets().get(ns + "/" + name)),
                SecretPullCredentials.ServiceAccounts.NONE,
                trustgateNamespace,
                settings.admission().pullSecret(),
                Runnable::run,
                settings.cache().tagTtl()); // in memory: no thread hop
        List<Verdict> verdicts = new ArrayList<>();
        try (Transport transport = Transport.open();
                VerifierStack stack = VerifierStack.create(
                        transport.vertx(), settings.stack(main.clock(), VerifierStack.Hooks.NONE))) {
            Map<String, String> labels = scope.labels();
            NamespaceLabels namespaces = ns -> labels;
            AdmissionHandler handler = AdmissionHandler.builder(
                            snapshot::policies, stack.verifier(), settings.deadline())
                    .namespaces(namespaces)
                    .credentials(credentials)
                    .unmatched(settings.admission().unmatched())
                    .build();
            List<CompletableFuture<AdmissionHandler.Decision>> pending = new ArrayList<>();
            int uid = 0;
            for (Target t : targets) {
                pending.add(handler.decide(review("trustgate-check-" + ++uid, t)));
            }
            for (int i = 0; i < targets.size(); i++) {
                AdmissionHandler.Decision d = pending.get(i).get();
                Target t = targets.get(i);
                verdicts.add(new Verdict(t.object(), t.namespace(), d.allowed(), d.message(), d.warnings()));
            }
        } catch (MalformedReviewException e) {
            throw new IllegalStateException("built a malformed review: " + e.getMessage(), e);
        }
        print(verdicts, spec.commandLine().getOut());
        return verdicts.stream().allMatch(Verdict::allowed) ? Main.OK : Main.DENIED;
    }

    /** The webhook's settings from the environment, with this command's flags over them. */
    private TrustgateSettings settings(Map<String, String> env) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        if (policies != null) {
            flags.put(Setting.POLICIES_DIR, policies.toString());
        }
        scope.putInsecureRegistries(env, flags);
        if (unmatched != null) {
            flags.put(Setting.UNMATCHED, unmatched.name());
        }
        return settingsOptions.load(env, flags);
    }

    private static ObjectNode pod(String image) {
        ObjectNode pod = JSON.createObjectNode();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        pod.putObject("metadata").put("name", "trustgate-check");
        pod.putObject("spec")
                .putArray("containers")
                .addObject()
                .put("name", "image")
                .put("image", image);
        return pod;
    }

    /** The AdmissionReview the API server would send for creating the object. */
    private static ObjectNode review(String uid, Target t) {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", uid);
        String apiVersion = t.body().path("apiVersion").asText("v1");
        int slash = apiVersion.indexOf('/');
        request.putObject("kind")
                .put("group", slash < 0 ? "" : apiVersion.substring(0, slash))
                .put("version", apiVersion.substring(slash + 1))
                .put("kind", t.kind());
        request.put("operation", "CREATE");
        request.put("namespace", t.namespace());
        request.set("object", t.body());
        return review;
    }

    private void print(List<Verdict> verdicts, PrintWriter out) throws IOException {
        if (output == Output.json) {
            ArrayNode array = JSON.createArrayNode();
            for (Verdict v : verdicts) {
                ObjectNode o = array.addObject();
                o.put("object", v.object());
                o.put("namespace", v.namespace());
                o.put("allowed", v.allowed());
                o.put("message", v.message());
                ArrayNode w = o.putArray("warnings");
                v.warnings().forEach(w::add);
            }
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(array));
            return;
        }
        for (Verdict v : verdicts) {
            String where = v.object() + " (namespace " + v.namespace() + ")";
            if (!v.allowed()) {
                out.println("DENIED " + where + ": " + v.message());
            } else if (!v.warnings().isEmpty()) {
                out.println("WARN " + where + ": " + String.join(" | ", v.warnings()));
            } else {
                out.println("ALLOWED " + where);
            }
        }
    }
}
