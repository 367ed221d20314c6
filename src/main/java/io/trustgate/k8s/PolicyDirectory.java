package io.trustgate.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.trustgate.k8s.crd.ClusterTrustPolicy;
import io.trustgate.k8s.crd.TrustPolicy;
import io.trustgate.policy.BrokenPolicy;
import io.trustgate.policy.NamespacedUrls;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.PolicySet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Policies from a directory of YAML or JSON files (multi-document files allowed), the same objects one
 * would {@code kubectl apply}. Secrets in the directory serve {@code keysFrom}. Reading is strict: an
 * unknown field or a bad value makes that policy broken, never silently weaker.
 */
public final class PolicyDirectory {

    static final String API_VERSION = "trustgate.io/v1alpha1";

    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path dir;
    private final String clusterSecretNamespace;
    private final PolicyCompiler.KeyCheck keyCheck;
    private final NamespacedUrls namespacedUrls;

    public PolicyDirectory(Path dir, String clusterSecretNamespace, PolicyCompiler.KeyCheck keyCheck) {
        this(dir, clusterSecretNamespace, keyCheck, NamespacedUrls.DEFAULT);
    }

    /** @param namespacedUrls which lookaside and Notary URLs a TrustPolicy may name */
    public PolicyDirectory(
            Path dir, String clusterSecretNamespace, PolicyCompiler.KeyCheck keyCheck, NamespacedUrls namespacedUrls) {
        this.dir = dir;
        this.clusterSecretNamespace = clusterSecretNamespace;
        this.keyCheck = keyCheck;
        this.namespacedUrls = namespacedUrls;
    }

    /** A cheap fingerprint of the directory (names, sizes, modification times) to notice changes. */
    public String fingerprint() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Path f : files()) {
            sb.append(f)
                    .append(':')
                    .append(Files.size(f))
                    .append(':')
                    .append(Files.getLastModifiedTime(f).toMillis())
                    .append('\n');
        }
        return sb.toString();
    }

    /** What a directory holds: the policies, and the Secrets (decoded, by {@code namespace/name}). */
    public record Snapshot(PolicySet policies, Map<String, SecretData> secrets) {

        /** The Secret {@code namespace/name} of the directory, if it holds one. */
        public Optional<SecretData> secret(String namespace, String name) {
            return Optional.ofNullable(secrets.get(namespace + "/" + name));
        }
    }

    /** Reads every policy; a file or document that cannot be read becomes a broken policy, never an exception. */
    public PolicySet load() throws IOException {
        return snapshot().policies();
    }

    /** Reads every policy and Secret. */
    public Snapshot snapshot() throws IOException {
        List<Document> docs = new ArrayList<>();
        for (Path f : files()) {
            docs.addAll(documents(f));
        }
        Map<String, SecretData> secrets = new HashMap<>();
        for (Document d : docs) {
            if (d.node != null && "Secret".equals(d.node.path("kind").asText())) {
                SecretData secret = SecretData.of(d.node);
                secrets.put(secret.id(), secret);
            }
        }
        PolicyCompiler compiler = new PolicyCompiler(
                (ns, name, key) ->
                        Optional.ofNullable(secrets.get(ns + "/" + name)).flatMap(s -> s.value(key)),
                clusterSecretNamespace,
                keyCheck,
                namespacedUrls);
        List<Policy> policies = new ArrayList<>();
        List<BrokenPolicy> broken = new ArrayList<>();
        for (Document d : docs) {
            if (d.error != null) {
                broken.add(new BrokenPolicy(PolicyId.cluster(d.source), List.of(), null, d.error));
                continue;
            }
            String kind = d.node.path("kind").asText();
            if (!kind.equals("TrustPolicy") && !kind.equals("ClusterTrustPolicy")) {
                continue;
            }
            HasMetadata resource;
            try {
                if (!API_VERSION.equals(d.node.path("apiVersion").asText())) {
                    throw new IllegalArgumentException("apiVersion must be " + API_VERSION + ", got \""
                            + d.node.path("apiVersion").asText() + "\"");
                }
                Class<? extends HasMetadata> type =
                        kind.equals("TrustPolicy") ? TrustPolicy.class : ClusterTrustPolicy.class;
                resource = YAML.treeToValue(d.node, type);
                resource.getMetadata().setUid(d.hash);
                resource.getMetadata().setResourceVersion(d.hash.substring(0, 16));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                String name = d.node.path("metadata").path("name").asText(d.source);
                String ns = d.node.path("metadata").path("namespace").asText("default");
                PolicyId id = kind.equals("TrustPolicy") ? PolicyId.namespaced(ns, name) : PolicyId.cluster(name);
                broken.add(new BrokenPolicy(id, List.of(), null, d.source + ": " + readable(e)));
                continue;
            }
            PolicyCompiler.Result r = compiler.compile(resource);
            if (r.ok()) {
                policies.add(r.policy());
            } else {
                broken.add(r.broken());
            }
        }
        return new Snapshot(new PolicySet(policies, broken), Map.copyOf(secrets));
    }

    private List<Path> files() throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("policy directory " + dir + " does not exist");
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> p.toString().matches(".*\\.(ya?ml|json)$"))
                    .sorted()
                    .toList();
        }
    }

    private record Document(String source, JsonNode node, String hash, String error) {}

    private List<Document> documents(Path file) {
        List<Document> docs = new ArrayList<>();
        String rel = dir.relativize(file).toString();
        try {
            byte[] bytes = Files.readAllBytes(file);
            try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(bytes)) {
                int n = 0;
                while (it.hasNextValue()) {
                    JsonNode node = it.nextValue();
                    n++;
                    if (node == null || node.isNull() || node.isMissingNode()) {
                        continue;
                    }
                    String source = rel + "#" + n;
                    docs.add(new Document(source, node, sha256(rel + "\n" + node), null));
                }
            }
        } catch (IOException | RuntimeException e) {
            docs.add(new Document(rel, null, null, rel + " is not valid YAML: " + readable(e)));
        }
        return docs;
    }

    private static String readable(Exception e) {
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return (nl > 0 ? m.substring(0, nl) : m).strip();
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
