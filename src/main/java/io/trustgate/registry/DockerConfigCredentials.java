package io.trustgate.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Registry credentials from a Kubernetes image pull secret: {@code .dockerconfigjson}
 * ({@code {"auths": {"<host>": {...}}}}) or the legacy {@code .dockercfg} (the same map at the top level).
 *
 * <p>Keys may be a host ({@code registry.example:5000}), a URL ({@code https://registry.example/v1/}) or one of
 * Docker Hub's aliases ({@code https://index.docker.io/v1/}, {@code registry-1.docker.io}, ...); all are
 * reduced to the host as image references spell it ({@code docker.io} for Docker Hub). An entry's {@code auth}
 * (base64 {@code user:password}) wins over its {@code username} and {@code password}. Entries without usable
 * credentials are skipped. Never logs or prints a password.
 */
public final class DockerConfigCredentials {

    /** No credentials at all. */
    public static final DockerConfigCredentials EMPTY = new DockerConfigCredentials(Map.of());

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, RegistryCredentials> byHost;

    private DockerConfigCredentials(Map<String, RegistryCredentials> byHost) {
        this.byHost = Map.copyOf(byHost);
    }

    /**
     * Parses the content of a secret's {@code .dockerconfigjson} ({@code legacyDockercfg=false}) or
     * {@code .dockercfg} ({@code true}) key.
     *
     * @throws IllegalArgumentException when the content is not the expected JSON; the message never contains
     *     the content
     */
    public static DockerConfigCredentials parse(byte[] json, boolean legacyDockercfg) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("docker config is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("docker config is not a JSON object");
        }
        JsonNode auths = legacyDockercfg ? root : root.get("auths");
        if (auths == null) {
            return EMPTY;
        }
        if (!auths.isObject()) {
            throw new IllegalArgumentException("\"auths\" of a docker config is not a JSON object");
        }
        Map<String, RegistryCredentials> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String host = normaliseHost(entry.getKey());
            if (host.isEmpty() || !entry.getValue().isObject()) {
                continue;
            }
            credentials(entry.getValue()).ifPresent(c -> out.putIfAbsent(host, c));
        }
        return new DockerConfigCredentials(out);
    }

    /** The credentials for a registry host as image references spell it ({@code docker.io}, {@code host:port}). */
    public Optional<RegistryCredentials> forRegistry(String host) {
        return Optional.ofNullable(byHost.get(normaliseHost(host)));
    }

    /** The registry hosts this holds credentials for. */
    public java.util.Set<String> hosts() {
        return byHost.keySet();
    }

    /**
     * Both sets of credentials; for a host both name, this one's entry wins (so merge in order of precedence:
     * the pod's pull secrets, then its service account's, then the policy's).
     */
    public DockerConfigCredentials merge(DockerConfigCredentials other) {
        Map<String, RegistryCredentials> out = new LinkedHashMap<>(byHost);
        other.byHost.forEach(out::putIfAbsent);
        return new DockerConfigCredentials(out);
    }

    @Override
    public String toString() {
        return "DockerConfigCredentials" + byHost.keySet();
    }

    /** Reduces a config key to a host: scheme and path dropped, lower-cased, Docker Hub aliases to docker.io. */
    static String normaliseHost(String key) {
        String s = key.strip();
        if (s.contains("://")) {
            try {
                URI uri = URI.create(s);
                s = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
            } catch (IllegalArgumentException e) {
                s = s.substring(s.indexOf("://") + 3);
            }
        }
        int slash = s.indexOf('/');
        if (slash >= 0) {
            s = s.substring(0, slash);
        }
        int at = s.lastIndexOf('@');
        if (at >= 0) {
            s = s.substring(at + 1);
        }
        s = s.toLowerCase(Locale.ROOT);
        switch (s) {
            case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "docker.io" -> {
                return "docker.io";
            }
            default -> {
                return s;
            }
        }
    }

    private static Optional<RegistryCredentials> credentials(JsonNode entry) {
        JsonNode auth = entry.get("auth");
        if (auth != null && auth.isTextual() && !auth.asText().isBlank()) {
            try {
                String decoded =
                        new String(Base64.getMimeDecoder().decode(auth.asText().strip()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    return Optional.of(
                            new RegistryCredentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
                }
            } catch (IllegalArgumentException e) {
                // not base64: fall back to username/password below
            }
        }
        JsonNode username = entry.get("username");
        JsonNode password = entry.get("password");
        if (username != null
                && password != null
                && username.isTextual()
                && password.isTextual()
                && !username.asText().isEmpty()) {
            return Optional.of(new RegistryCredentials(username.asText(), password.asText()));
        }
        return Optional.empty();
    }
}
