package io.trustgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Renders and lints trustgate's Helm chart ({@code Chart/}) with helm-java, which embeds Helm as a
 * native library: no {@code helm} binary is needed. Values are given as nested maps and written to a
 * values file (PEM text survives that, unlike {@code --set}).
 */
public final class ChartRenderer {

    public static final Path CHART = Path.of("Chart").toAbsolutePath();
    /** The Kubernetes version templates are rendered for (helm-java's default, 1.20, is below the chart's floor). */
    public static final String KUBE_VERSION = "v1.34.0";

    private static final YAMLMapper YAML = new YAMLMapper();

    private ChartRenderer() {}

    /** {@code helm template RELEASE Chart/ -n NAMESPACE -f values}: the rendered YAML text (CRDs left out). */
    public static String template(String release, String namespace, Map<String, Object> values) {
        try {
            Path valuesFile = Files.createTempFile("tg-values-", ".yaml");
            try {
                YAML.writeValue(valuesFile.toFile(), values);
                TemplateCommand cmd = new Helm(CHART)
                        .template()
                        .withName(release)
                        .withNamespace(namespace)
                        .withKubeVersion(KUBE_VERSION)
                        .withValuesFile(valuesFile)
                        .skipCrds();
                return cmd.call();
            } finally {
                Files.deleteIfExists(valuesFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The rendered documents, parsed; empty documents are dropped. */
    public static List<JsonNode> documents(String rendered) {
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(rendered)) {
            List<JsonNode> docs = new ArrayList<>();
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && doc.isObject() && doc.has("kind")) {
                    docs.add(doc);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The one document of this kind (and name, when given). */
    public static Optional<JsonNode> find(List<JsonNode> docs, String kind, String name) {
        return docs.stream()
                .filter(d -> d.path("kind").asText().equals(kind))
                .filter(d ->
                        name == null || d.path("metadata").path("name").asText().equals(name))
                .findFirst();
    }

    /**
     * {@code helm lint} of a copy of the chart whose values.yaml has {@code overrides} merged in (helm-java's
     * lint takes no values, so the copy carries them).
     */
    public static LintResult lint(Map<String, Object> overrides) {
        try {
            Path copy = Files.createTempDirectory("tg-chart-").resolve("trustgate");
            copyTree(CHART, copy);
            if (!overrides.isEmpty()) {
                ObjectNode values =
                        (ObjectNode) YAML.readTree(copy.resolve("values.yaml").toFile());
                merge(values, YAML.valueToTree(overrides));
                YAML.writeValue(copy.resolve("values.yaml").toFile(), values);
            }
            return new Helm(copy).lint().strict().call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void merge(ObjectNode target, JsonNode overrides) {
        overrides.fields().forEachRemaining(e -> {
            JsonNode existing = target.get(e.getKey());
            if (existing instanceof ObjectNode o && e.getValue().isObject()) {
                merge(o, e.getValue());
            } else {
                target.set(e.getKey(), e.getValue());
            }
        });
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
