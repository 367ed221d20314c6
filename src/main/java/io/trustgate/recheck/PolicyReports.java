package io.trustgate.recheck;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A recheck as {@code wgpolicyk8s.io/v1alpha2} PolicyReports, the format of the Kubernetes Policy WG that
 * Kyverno and Policy Reporter read: one report per namespace, named {@value #NAME}, with one result per workload,
 * image and policy ({@code source: trustgate}), and the summary counts.
 */
public final class PolicyReports {

    public static final String API_VERSION = "wgpolicyk8s.io/v1alpha2";
    public static final String KIND = "PolicyReport";
    /** The name of trustgate's report in each namespace. */
    public static final String NAME = "trustgate";

    public static final String SOURCE = "trustgate";
    /** The label that marks the reports trustgate owns (and may empty when a namespace has no result left). */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    /** Results per report: a namespace with more workloads keeps the first ones (failures first) and says so. */
    public static final int MAX_RESULTS_PER_REPORT = 1_000;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private PolicyReports() {}

    /** One report per namespace that has results, keyed by namespace, in namespace order. */
    public static Map<String, ObjectNode> build(Recheck.Scan scan) {
        Map<String, List<RecheckResult>> byNamespace = new TreeMap<>();
        for (RecheckResult r : scan.results()) {
            byNamespace
                    .computeIfAbsent(r.namespace(), n -> new java.util.ArrayList<>())
                    .add(r);
        }
        Map<String, ObjectNode> out = new TreeMap<>();
        byNamespace.forEach((ns, results) -> out.put(ns, report(ns, results, scan)));
        return out;
    }

    /** The report of a namespace where nothing governed runs any more: no results, zero counts. */
    public static ObjectNode empty(String namespace) {
        return report(namespace, List.of(), null);
    }

    private static ObjectNode report(String namespace, List<RecheckResult> results, Recheck.Scan scan) {
        ObjectNode report = JSON.objectNode();
        report.put("apiVersion", API_VERSION);
        report.put("kind", KIND);
        ObjectNode metadata = report.putObject("metadata");
        metadata.put("name", NAME);
        metadata.put("namespace", namespace);
        metadata.putObject("labels").put(MANAGED_BY, SOURCE);
        Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
        for (Verdict v : Verdict.values()) {
            counts.put(v, 0);
        }
        List<RecheckResult> ordered = results.stream()
                .sorted(Comparator.comparing((RecheckResult r) -> r.verdict() == Verdict.pass)
                        .thenComparing(r -> r.workload().toString())
                        .thenComparing(RecheckResult::image)
                        .thenComparing(RecheckResult::policyName))
                .toList();
        ArrayNode items = report.putArray("results");
        for (RecheckResult r : ordered) {
            counts.merge(r.verdict(), 1, Integer::sum);
            if (items.size() < MAX_RESULTS_PER_REPORT) {
                items.add(result(r, scan));
            }
        }
        ObjectNode summary = report.putObject("summary");
        for (Verdict v : Verdict.values()) {
            summary.put(v.name(), counts.get(v));
        }
        return report;
    }

    private static ObjectNode result(RecheckResult r, Recheck.Scan scan) {
        ObjectNode item = JSON.objectNode();
        item.put("policy", r.policyName());
        item.put("rule", "signed-images");
        item.put("result", r.verdict().name());
        item.put("source", SOURCE);
        item.put("scored", true);
        item.put(
                "message",
                r.message() != null
                        ? r.message()
                        : "image " + r.image() + (r.digest() != null ? " (" + r.digest() + ")" : "") + " is signed as "
                                + r.policy() + " requires");
        if (r.verdict() != Verdict.pass) {
            item.put("severity", r.verdict() == Verdict.fail ? "high" : "medium");
        }
        ObjectNode timestamp = item.putObject("timestamp");
        java.time.Instant at = scan.at();
        long seconds = at.getEpochSecond();
        timestamp.put("seconds", seconds);
        timestamp.put("nanos", at.getNano());
        ObjectNode resource = item.putArray("resources").addObject();
        RunningPod.Workload w = r.workload();
        if (w.apiVersion() != null) {
            resource.put("apiVersion", w.apiVersion());
        }
        resource.put("kind", w.kind());
        resource.put("name", w.name());
        resource.put("namespace", r.namespace());
        if (w.uid() != null) {
            resource.put("uid", w.uid());
        }
        ObjectNode properties = item.putObject("properties");
        properties.put("image", r.image());
        if (r.digest() != null) {
            properties.put("digest", r.digest());
        }
        if (r.mode() != null) {
            properties.put("mode", r.mode().name());
        }
        properties.put("pods", String.join(",", r.pods()));
        return item;
    }
}
