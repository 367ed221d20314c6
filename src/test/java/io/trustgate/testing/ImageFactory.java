package io.trustgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Builds tiny random images (one layer with a random file, so every image has a new digest) in a local OCI
 * layout and pushes them with {@code skopeo copy} to a {@link RegistryPeer}, as OCI or Docker v2 schema 2.
 *
 * <pre>{@code
 * ImageFactory.PushedImage image = ImageFactory.pushRandom(registry, "demo/app", "1.0");               // OCI
 * ImageFactory.PushedImage docker = ImageFactory.push(registry, "demo/app", "2.0", ImageFactory.Format.DOCKER_V2);
 * ImageFactory.PushedIndex multi = ImageFactory.pushIndex(registry, "demo/multi", "1.0");  // OCI index, amd64 + arm64
 * image.digest();      // "sha256:..." as the registry reports it
 * image.reference();   // "127.0.0.1:41234/demo/app:1.0"
 * }</pre>
 */
public final class ImageFactory {

    /** The manifest format pushed. */
    public enum Format {
        OCI("oci"),
        DOCKER_V2("v2s2");

        private final String skopeoName;

        Format(String skopeoName) {
            this.skopeoName = skopeoName;
        }
    }

    /** An image in the registry: its reference by tag, its manifest digest, media type and raw manifest. */
    // manifest carries the pushed bytes to the tests that re-hash or serve them: a carrier, not a value.
    public record PushedImage(
            String host,
            String path,
            String tag,
            String digest,
            String mediaType,
            @SuppressWarnings("ArrayRecordComponent") byte[] manifest) {
        /** {@code host/path:tag}. */
        public String reference() {
            return host + "/" + path + ":" + tag;
        }

        /** {@code host/path@digest}. */
        public String digestReference() {
            return host + "/" + path + "@" + digest;
        }

        /** The hex part of the digest. */
        public String hex() {
            return digest.substring(digest.indexOf(':') + 1);
        }

        /** Writes the raw manifest to {@code file} (e.g. for {@code skopeo standalone-verify}). */
        public Path writeManifest(Path file) {
            try {
                Files.write(file, manifest);
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ImageFactory() {}

    /** Pushes a new random OCI image to {@code registry} as {@code path:tag}. */
    public static PushedImage pushRandom(RegistryPeer registry, String path, String tag) {
        return push(registry, path, tag, Format.OCI);
    }

    /** Pushes a new random image in the given format to {@code registry} as {@code path:tag}. */
    public static PushedImage push(RegistryPeer registry, String path, String tag, Format format) {
        try {
            Path layout = Files.createTempDirectory(PeerProcess.peerDir("images"), "oci-");
            writeOciLayout(layout, tag);
            return copyLayout(registry, layout, path, tag, "--format", format.skopeoName);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Pushes a new random multi-platform OCI image index (linux/amd64 and linux/arm64, each a random one-layer
     * image) as {@code path:tag}; the result's digest is the index digest and {@code platformDigests} are the
     * digests of its manifests.
     */
    public static PushedIndex pushIndex(RegistryPeer registry, String path, String tag) {
        try {
            Path layout = Files.createTempDirectory(PeerProcess.peerDir("images"), "oci-index-");
            List<String> platformDigests = writeOciIndexLayout(layout, tag);
            return new PushedIndex(copyLayout(registry, layout, path, tag, "--all"), platformDigests);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An image index in the registry and the digests of its platform manifests (amd64, arm64). */
    public record PushedIndex(PushedImage index, List<String> platformDigests) {}

    /** Writes an OCI layout whose {@code tag} names an image index of two random platform images. */
    private static List<String> writeOciIndexLayout(Path dir, String tag) throws IOException {
        List<Map<String, Object>> entries = new ArrayList<>();
        List<String> digests = new ArrayList<>();
        for (String arch : List.of("amd64", "arm64")) {
            Path sub = Files.createTempDirectory(dir.getParent(), "platform-");
            writeOciLayout(sub, arch);
            // move the platform image's blobs into the index layout
            Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
            try (var files = Files.list(sub.resolve("blobs/sha256"))) {
                for (Path blob : files.toList()) {
                    Files.copy(
                            blob, blobs.resolve(blob.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            JsonNode platformEntry = JSON.readTree(Files.readAllBytes(sub.resolve("index.json")))
                    .path("manifests")
                    .get(0);
            Map<String, Object> entry = descriptor(
                    platformEntry.path("mediaType").asText(),
                    platformEntry.path("digest").asText().substring(7),
                    platformEntry.path("size").asLong());
            entry.put("platform", Map.of("architecture", arch, "os", "linux"));
            entries.add(entry);
            digests.add(platformEntry.path("digest").asText());
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", "application/vnd.oci.image.index.v1+json");
        index.put("manifests", entries);
        byte[] indexBytes = JSON.writeValueAsBytes(index);
        String indexHex = writeBlob(dir.resolve("blobs/sha256"), indexBytes);
        Map<String, Object> top = descriptor("application/vnd.oci.image.index.v1+json", indexHex, indexBytes.length);
        top.put("annotations", Map.of("org.opencontainers.image.ref.name", tag));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.write(
                dir.resolve("index.json"),
                JSON.writeValueAsBytes(Map.of("schemaVersion", 2, "manifests", List.of(top))));
        return digests;
    }

    /**
     * Pushes the image tagged {@code tag} in the OCI layout {@code layout} (e.g. one a {@link NodeCluster} wrote
     * for a container that runs) to {@code path:tag} in {@code registry}.
     */
    public static PushedImage pushLayout(RegistryPeer registry, Path layout, String path, String tag) {
        try {
            return copyLayout(registry, layout, path, tag);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** skopeo-copies an OCI layout to {@code path:tag} in the registry and reads back the manifest it stored. */
    private static PushedImage copyLayout(
            RegistryPeer registry, Path layout, String path, String tag, String... copyFlags) throws IOException {
        String dest = "docker://" + registry.host() + "/" + path + ":" + tag;
        List<String> copy =
                new ArrayList<>(List.of("skopeo", "--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false"));
        copy.addAll(List.of(copyFlags));
        List<String> inspect =
                new ArrayList<>(List.of("skopeo", "--insecure-policy", "inspect", "--raw", "--tls-verify=false"));
        if (registry.username() != null) {
            copy.addAll(List.of("--dest-creds", registry.username() + ":" + registry.password()));
            inspect.addAll(List.of("--creds", registry.username() + ":" + registry.password()));
        }
        copy.add("oci:" + layout + ":" + tag);
        copy.add(dest);
        inspect.add(dest);
        Proc.cmd(copy).run();
        byte[] manifest = Proc.cmd(inspect).run().stdout().getBytes(StandardCharsets.UTF_8);
        JsonNode node = JSON.readTree(manifest);
        return new PushedImage(
                registry.host(),
                path,
                tag,
                "sha256:" + sha256Hex(manifest),
                node.path("mediaType").asText(null),
                manifest);
    }

    /** Writes a one-layer OCI image layout tagged {@code tag} into {@code dir}. */
    public static void writeOciLayout(Path dir, String tag) throws IOException {
        Path blobs = dir.resolve("blobs/sha256");
        Files.createDirectories(blobs);
        byte[] content = new byte[64];
        RANDOM.nextBytes(content);
        byte[] tar = tar("random.bin", HexFormat.of().formatHex(content).getBytes(StandardCharsets.US_ASCII));
        byte[] layer = gzip(tar);
        String layerHex = writeBlob(blobs, layer);

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.put(
                "config",
                Map.of("Labels", Map.of("io.trustgate.test", HexFormat.of().formatHex(content, 0, 8))));
        config.put("rootfs", Map.of("type", "layers", "diff_ids", List.of("sha256:" + sha256Hex(tar))));
        byte[] configBytes = JSON.writeValueAsBytes(config);
        String configHex = writeBlob(blobs, configBytes);

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", configHex, configBytes.length));
        manifest.put(
                "layers", List.of(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layerHex, layer.length)));
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        String manifestHex = writeBlob(blobs, manifestBytes);

        Map<String, Object> entry =
                descriptor("application/vnd.oci.image.manifest.v1+json", manifestHex, manifestBytes.length);
        entry.put("annotations", Map.of("org.opencontainers.image.ref.name", tag));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.write(
                dir.resolve("index.json"),
                JSON.writeValueAsBytes(Map.of("schemaVersion", 2, "manifests", List.of(entry))));
    }

    /** Uploads {@code data} as a blob of {@code path} (monolithic {@code POST ?digest=}); returns its digest. */
    public static String pushBlob(RegistryPeer registry, String path, byte[] data) {
        String digest = "sha256:" + sha256Hex(data);
        HttpResponse<String> answer = send(
                registry,
                HttpRequest.newBuilder(
                                URI.create(registry.baseUrl() + "/v2/" + path + "/blobs/uploads/?digest=" + digest))
                        .header("Content-Type", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(data)));
        if (answer.statusCode() == 202) {
            // a registry that does not take monolithic POSTs: PUT the data to the upload location
            String location = answer.headers().firstValue("Location").orElseThrow();
            URI upload = URI.create(registry.baseUrl()).resolve(location);
            String sep = upload.getRawQuery() == null ? "?" : "&";
            answer = send(
                    registry,
                    HttpRequest.newBuilder(URI.create(upload + sep + "digest=" + digest))
                            .header("Content-Type", "application/octet-stream")
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(data)));
        }
        if (answer.statusCode() != 201) {
            throw new IllegalStateException("blob upload to " + registry.host() + "/" + path + " answered "
                    + answer.statusCode() + ": " + answer.body());
        }
        return digest;
    }

    /**
     * Puts a manifest as {@code path:reference} (a tag, or its own digest); returns its digest and whether the
     * registry answered with {@code OCI-Subject} (it then maintains the referrers list itself).
     */
    public static PushedManifest pushManifest(
            RegistryPeer registry, String path, String reference, String mediaType, byte[] manifest) {
        HttpResponse<String> answer = send(
                registry,
                HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/v2/" + path + "/manifests/" + reference))
                        .header("Content-Type", mediaType)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
        if (answer.statusCode() != 201) {
            throw new IllegalStateException("manifest put to " + registry.host() + "/" + path + ":" + reference
                    + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return new PushedManifest(
                "sha256:" + sha256Hex(manifest),
                answer.headers().firstValue("OCI-Subject").isPresent());
    }

    /** Reads a manifest of {@code path} by tag or digest. */
    public static byte[] fetchManifest(RegistryPeer registry, String path, String reference) {
        return fetchManifest(
                        registry,
                        path,
                        reference,
                        "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json")
                .body();
    }

    /** Reads a manifest of {@code path} by tag or digest, asking for the media types in {@code accept}. */
    public static FetchedManifest fetchManifest(RegistryPeer registry, String path, String reference, String accept) {
        HttpResponse<byte[]> answer = send(
                registry,
                HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/v2/" + path + "/manifests/" + reference))
                        .header("Accept", accept)
                        .GET(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("GET manifest " + reference + " answered " + answer.statusCode());
        }
        return new FetchedManifest(
                answer.body(), answer.headers().firstValue("Content-Type").orElseThrow());
    }

    /** A manifest read by {@link #fetchManifest(RegistryPeer, String, String, String)}: its bytes and media type. */
    public record FetchedManifest(byte[] body, String mediaType) {}

    /** Reads a blob of {@code path} by digest. */
    public static byte[] fetchBlob(RegistryPeer registry, String path, String digest) {
        HttpResponse<byte[]> answer = send(
                registry,
                HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/v2/" + path + "/blobs/" + digest))
                        .GET(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("GET blob " + digest + " answered " + answer.statusCode());
        }
        return answer.body();
    }

    /** The tags of {@code path} ({@code /tags/list}). */
    public static List<String> tags(RegistryPeer registry, String path) {
        HttpResponse<byte[]> answer = send(
                registry,
                HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/v2/" + path + "/tags/list"))
                        .GET(),
                HttpResponse.BodyHandlers.ofByteArray());
        List<String> tags = new ArrayList<>();
        try {
            JSON.readTree(answer.body()).path("tags").forEach(t -> tags.add(t.asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tags;
    }

    /** A manifest put by {@link #pushManifest}. */
    public record PushedManifest(String digest, boolean registryTracksSubject) {}

    private static HttpResponse<String> send(RegistryPeer registry, HttpRequest.Builder request) {
        return send(registry, request, HttpResponse.BodyHandlers.ofString());
    }

    private static <T> HttpResponse<T> send(
            RegistryPeer registry, HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
        if (registry.username() != null) {
            request.header(
                    "Authorization",
                    "Basic "
                            + java.util.Base64.getEncoder()
                                    .encodeToString((registry.username() + ":" + registry.password())
                                            .getBytes(StandardCharsets.UTF_8)));
        }
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Lower-case hex sha256 of {@code data}. */
    public static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> descriptor(String mediaType, String hex, long size) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", "sha256:" + hex);
        d.put("size", size);
        return d;
    }

    private static String writeBlob(Path blobs, byte[] data) throws IOException {
        String hex = sha256Hex(data);
        Files.write(blobs.resolve(hex), data);
        return hex;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /** A ustar archive holding one regular file. */
    private static byte[] tar(String name, byte[] content) {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", content.length));
        put(header, 136, String.format("%011o", 1_700_000_000L));
        java.util.Arrays.fill(header, 148, 156, (byte) ' ');
        header[156] = '0';
        put(header, 257, "ustar");
        put(header, 263, "00");
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o", sum));
        header[154] = 0;
        header[155] = ' ';
        int padded = (content.length + 511) / 512 * 512;
        byte[] out = new byte[512 + padded + 1024];
        System.arraycopy(header, 0, out, 0, 512);
        System.arraycopy(content, 0, out, 512, content.length);
        return out;
    }

    private static void put(byte[] header, int offset, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }
}
