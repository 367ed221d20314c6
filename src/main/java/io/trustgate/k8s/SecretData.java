package io.trustgate.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The decoded values of one Secret: the only place that turns a Secret's {@code data} (base64) and
 * {@code stringData} into text, for {@code keysFrom}, pull secrets and the Secrets of a policy directory.
 * {@code stringData} wins over {@code data} for the same key, as the API server merges them. A value that
 * is not base64 is left out (the policy or pull secret naming it reports the key as missing).
 *
 * <p>{@link #toString()} names the Secret and its keys, never a value, so a stray log line leaks nothing.
 */
public final class SecretData {

    private final String namespace;
    private final String name;
    private final Map<String, String> values;

    private SecretData(String namespace, String name, Map<String, String> values) {
        this.namespace = namespace;
        this.name = name;
        this.values = Map.copyOf(values);
    }

    /** A Secret read from the API server. */
    public static SecretData of(Secret secret) {
        return decode(
                secret.getMetadata().getNamespace(),
                secret.getMetadata().getName(),
                secret.getData(),
                secret.getStringData());
    }

    /** A Secret manifest as written in a policy directory ({@code namespace} defaults to {@code default}). */
    public static SecretData of(JsonNode manifest) {
        Map<String, String> data = new HashMap<>();
        manifest.path("data")
                .fields()
                .forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
        Map<String, String> stringData = new HashMap<>();
        manifest.path("stringData")
                .fields()
                .forEachRemaining(e -> stringData.put(e.getKey(), e.getValue().asText()));
        return decode(
                manifest.path("metadata").path("namespace").asText("default"),
                manifest.path("metadata").path("name").asText(),
                data,
                stringData);
    }

    private static SecretData decode(
            String namespace, String name, Map<String, String> data, Map<String, String> stringData) {
        Map<String, String> values = new HashMap<>();
        if (data != null) {
            data.forEach((key, encoded) -> {
                try {
                    values.put(
                            key,
                            new String(Base64.getDecoder().decode(withoutWhitespace(encoded)), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException notBase64) {
                    // left out: whoever names this key reports it as missing, without echoing the value
                }
            });
        }
        if (stringData != null) {
            values.putAll(stringData);
        }
        return new SecretData(namespace, name, values);
    }

    /** Base64 as YAML may wrap it; anything else that is not base64 is rejected (the MIME decoder would skip it). */
    private static String withoutWhitespace(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                out.append(s.charAt(i));
            }
        }
        return out.toString();
    }

    /** {@code namespace/name}, how messages name this Secret. */
    public String id() {
        return namespace + "/" + name;
    }

    public String namespace() {
        return namespace;
    }

    public String name() {
        return name;
    }

    /** The decoded value of {@code key}, if the Secret has it. */
    public Optional<String> value(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** Every decoded value by key. */
    public Map<String, String> values() {
        return values;
    }

    @Override
    public String toString() {
        return "Secret " + id() + " " + new TreeSet<>(values.keySet());
    }
}
