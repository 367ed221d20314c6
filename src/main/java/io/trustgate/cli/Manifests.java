package io.trustgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Kubernetes objects from multi-document YAML or JSON (JSON is YAML), as {@code kubectl apply -f} would:
 * empty documents are skipped and a {@code kind: List} is expanded into its items.
 */
final class Manifests {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** One object and where it came from ({@code file#document}). */
    record Manifest(String source, JsonNode object) {
        String kind() {
            return object.path("kind").asText("");
        }

        String name() {
            JsonNode meta = object.path("metadata");
            String name = meta.path("name").asText("");
            return !name.isEmpty() ? name : meta.path("generateName").asText("<unnamed>");
        }

        /** The object's own namespace, or {@code fallback}. */
        String namespace(String fallback) {
            String ns = object.path("metadata").path("namespace").asText("");
            return ns.isEmpty() ? fallback : ns;
        }
    }

    private Manifests() {}

    /**
     * Reads {@code file} ({@code -} for {@code stdin}); a directory gives the objects of its {@code .yaml},
     * {@code .yml} and {@code .json} files in name order (not recursively, as {@code kubectl apply -f DIR}).
     */
    static List<Manifest> read(String file, InputStream stdin) {
        if (!file.equals("-") && Files.isDirectory(Path.of(file))) {
            List<Manifest> all = new ArrayList<>();
            try (var entries = Files.list(Path.of(file))) {
                for (Path p : entries.filter(Files::isRegularFile)
                        .filter(p -> p.getFileName().toString().matches(".*\\.(ya?ml|json)$"))
                        .sorted()
                        .toList()) {
                    all.addAll(read(p.toString(), stdin));
                }
            } catch (IOException e) {
                throw new CliException("cannot read " + file + ": " + Main.oneLine(e), e);
            }
            return all;
        }
        byte[] bytes;
        try {
            bytes = file.equals("-") ? stdin.readAllBytes() : Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new CliException("cannot read " + file + ": no such file");
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String name = file.equals("-") ? "<stdin>" : file;
        List<Manifest> out = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(bytes)) {
            int n = 0;
            while (it.hasNextValue()) {
                JsonNode node = it.nextValue();
                n++;
                if (node == null || node.isNull() || node.isMissingNode()) {
                    continue;
                }
                add(name + "#" + n, node, out);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof CliException c) {
                throw c;
            }
            throw new CliException(name + " is not valid YAML or JSON: " + Main.oneLine(e), e);
        }
        return out;
    }

    private static void add(String source, JsonNode node, List<Manifest> out) {
        if (!node.isObject() || node.path("kind").asText("").isEmpty()) {
            throw new CliException(source + " is not a Kubernetes object (it has no kind)");
        }
        if (node.path("kind").asText().equals("List")) {
            int i = 0;
            for (JsonNode item : node.path("items")) {
                add(source + "/items/" + i++, item, out);
            }
            return;
        }
        out.add(new Manifest(source, node));
    }
}
