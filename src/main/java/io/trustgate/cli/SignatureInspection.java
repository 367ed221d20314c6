package io.trustgate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.image.ImageReference;
import io.trustgate.k8s.PolicyDirectory;
import io.trustgate.policy.BrokenPolicy;
import io.trustgate.policy.PolicySet;
import io.trustgate.registry.RegistryCredentials;
import io.trustgate.runtime.VerifierStack;
import io.trustgate.verify.ImageVerdict;
import io.trustgate.verify.PolicyVerdict;
import io.trustgate.verify.Progress;
import io.trustgate.verify.SignatureReport;
import io.trustgate.verify.SignerEvidence;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The policy part of {@code trustgate inspect}: the image checked by the webhook's own verifier stack against the
 * policies of a directory that govern it, and every signature each policy's sources examined shown with where it
 * was found, what it verified under, the signer it counts for or why it does not count.
 */
final class SignatureInspection {

    /** The source names of signer evidence that has no per-signature report (Notary's roles). */
    private static final Set<String> REPORTED = Set.of(
            SignatureReport.GPG,
            io.trustgate.verify.CosignSignatureSource.SOURCE,
            io.trustgate.verify.NotationSignatureSource.SOURCE);

    private SignatureInspection() {}

    /**
     * Prints (text to {@code out} when not {@code null}) and records in {@code json} what the policies governing
     * {@code ref} find, and returns {@link Main#OK} when every one is satisfied, else {@link Main#DENIED}.
     */
    static int run(
            ImageReference ref,
            Path dir,
            String namespace,
            Map<String, String> labels,
            TrustgateSettings settings,
            Clock clock,
            PrintWriter out,
            PrintWriter err,
            ObjectNode json)
            throws Exception {
        PolicyDirectory.Snapshot snapshot;
        try {
            snapshot = new PolicyDirectory(dir, settings.policies().namespace(), VerifierStack.keyCheck()).snapshot();
        } catch (IOException e) {
            throw new CliException("cannot read policies: " + Main.oneLine(e), e);
        }
        PolicySet.Applicable applicable = snapshot.policies().applicable(namespace, labels, ref);
        json.put("image", ref.toString());
        json.put("namespace", namespace);
        ArrayNode policiesJson = json.putArray("policies");
        ArrayNode brokenJson = json.putArray("brokenPolicies");
        for (BrokenPolicy b : applicable.broken()) {
            brokenJson.addObject().put("policy", b.id().toString()).put("error", b.error());
            err.println("trustgate: policy " + b.id() + " is broken and denies the images it claims: " + b.error());
        }
        if (applicable.policies().isEmpty()) {
            json.putNull("digest");
            String why = "no policy in " + dir + " governs " + ref + " in namespace " + namespace
                    + (labels.isEmpty() ? "" : " (labels " + labels + ")");
            json.put("error", why);
            if (out != null) {
                out.println("Image " + ref);
                out.println(why + ": nothing to verify its signatures under.");
            }
            return Main.DENIED;
        }
        ImageVerdict verdict;
        Duration budget = settings.deadline();
        try (Transport transport = Transport.open();
                VerifierStack stack =
                        VerifierStack.create(transport.vertx(), settings.stack(clock, VerifierStack.Hooks.NONE))) {
            Progress progress = new Progress();
            try {
                // Read anonymously, as the signature sources do: pull secrets are the cluster's.
                verdict = stack.verifier()
                        .verify(ref, applicable.policies(), RegistryCredentials.ANONYMOUS, progress)
                        .get(budget.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                verdict = stack.verifier().timedOut(ref, applicable.policies(), progress, budget);
            }
        }
        json.put("digest", verdict.digest());
        if (verdict.resolutionError() != null) {
            json.put("error", "could not resolve the tag at the registry: " + verdict.resolutionError());
        }
        if (out != null) {
            out.println("Image " + ref);
            out.println("Digest " + (verdict.digest() != null ? verdict.digest() : "(unresolved)"));
            if (verdict.resolutionError() != null) {
                out.println("Could not resolve the tag at the registry: " + verdict.resolutionError());
            }
        }
        boolean all = applicable.broken().isEmpty() && verdict.resolutionError() == null;
        for (PolicyVerdict v : verdict.verdicts()) {
            all &= v.satisfied();
            List<Row> rows = rows(v, verdict.digest());
            ObjectNode p = policiesJson.addObject();
            p.put("policy", v.policy().id().toString());
            p.put("mode", v.policy().mode().name());
            p.put("satisfied", v.satisfied());
            p.put("required", v.outcome().required());
            strings(p.putArray("found"), v.outcome().found());
            strings(p.putArray("missing"), v.outcome().missing());
            strings(p.putArray("missingRequired"), v.outcome().missingRequired());
            ArrayNode sigs = p.putArray("signatures");
            for (Row r : rows) {
                ObjectNode s = sigs.addObject();
                s.put("format", r.format());
                s.put("location", r.location());
                s.put("digest", r.digest());
                s.put("identity", r.identity());
                s.put("signer", r.signer());
                s.put("counts", r.signer() != null);
                s.put("rejection", r.rejection());
            }
            strings(p.putArray("problems"), v.findings().problems());
            strings(p.putArray("warnings"), v.findings().warnings());
            if (out != null) {
                print(out, v, rows);
            }
        }
        return all ? Main.OK : Main.DENIED;
    }

    /** One line of the table: a signature, or a signer's evidence from a source that reports none (Notary). */
    private record Row(
            String format, String location, String digest, String identity, String signer, String rejection) {}

    private static List<Row> rows(PolicyVerdict v, String digest) {
        List<Row> rows = new ArrayList<>();
        for (SignatureReport s : v.findings().signatures()) {
            rows.add(new Row(s.format(), s.location(), s.digest(), s.identity(), s.signer(), s.rejection()));
        }
        for (SignerEvidence e : v.findings().found()) {
            if (!REPORTED.contains(e.source())) {
                // e.g. "notary targets/releases": Notary signs roles, not one signature per image.
                int space = e.source().indexOf(' ');
                rows.add(new Row(
                        space < 0 ? e.source() : e.source().substring(0, space),
                        space < 0 ? e.source() : "role " + e.source().substring(space + 1),
                        digest,
                        e.detail(),
                        e.signer(),
                        null));
            }
        }
        return rows;
    }

    private static void print(PrintWriter out, PolicyVerdict v, List<Row> rows) {
        out.println();
        var o = v.outcome();
        out.println("Policy " + v.policy().id() + " (" + v.policy().mode() + "): "
                + (v.satisfied() ? "SATISFIED" : "NOT SATISFIED") + ", "
                + o.found().size() + " of " + o.required()
                + " required signers found" + (o.found().isEmpty() ? "" : " (" + String.join(", ", o.found()) + ")")
                + (o.missing().isEmpty() ? "" : "; missing " + String.join(", ", o.missing()))
                + (o.missingRequired().isEmpty()
                        ? ""
                        : "; required and missing " + String.join(", ", o.missingRequired())));
        if (rows.isEmpty()) {
            out.println("No signatures found.");
        } else {
            InspectCommand.table(
                    out,
                    List.of("FORMAT", "COUNTS FOR", "VERIFIED UNDER", "FOUND AT", "WHY IT DOES NOT COUNT"),
                    rows.stream()
                            .map(r -> List.of(
                                    r.format(),
                                    r.signer() == null ? "-" : r.signer(),
                                    r.identity() == null ? "-" : r.identity(),
                                    r.location(),
                                    r.rejection() == null ? "" : r.rejection()))
                            .toList());
        }
        for (String problem : v.findings().problems()) {
            out.println("  problem: " + problem);
        }
        for (String warning : v.findings().warnings()) {
            out.println("  warning: " + warning);
        }
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
