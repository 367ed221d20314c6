package io.trustgate.notary;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * One persisted record of a {@link VersionStore}: the highest versions by role of one repository at one
 * Notary server, and when they last rose (the oldest record goes first when a store is full).
 * As JSON: {@code {"server":"https://n.example","gun":"r.example/app","versions":{"root":1,...},"updated":"..."}}.
 */
public record VersionEntry(String server, String gun, Map<String, Long> versions, Instant updated) {

    /** Bounds of one record read back: longer strings or more roles mean the record is not ours. */
    static final int MAX_NAME_CHARS = 1024;

    static final int MAX_ROLES = 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    public VersionEntry {
        versions = Map.copyOf(versions);
    }

    /** The record as one line of JSON. */
    public String toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("server", server);
        node.put("gun", gun);
        ObjectNode v = node.putObject("versions");
        versions.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> v.put(e.getKey(), e.getValue()));
        node.put("updated", updated.toString());
        return node.toString();
    }

    /** Reads a record written by {@link #toJson()}; empty for anything malformed or out of bounds. */
    public static Optional<VersionEntry> fromJson(String json) {
        try {
            return fromNode(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    static Optional<VersionEntry> fromNode(JsonNode node) {
        if (node == null
                || !node.path("server").isTextual()
                || !node.path("gun").isTextual()
                || !node.path("versions").isObject()
                || node.path("versions").size() > MAX_ROLES) {
            return Optional.empty();
        }
        String server = node.path("server").asText();
        String gun = node.path("gun").asText();
        if (server.length() > MAX_NAME_CHARS || gun.length() > MAX_NAME_CHARS) {
            return Optional.empty();
        }
        Map<String, Long> versions = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.path("versions").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToLong() || e.getKey().length() > MAX_NAME_CHARS) {
                return Optional.empty();
            }
            versions.put(e.getKey(), e.getValue().asLong());
        }
        Instant updated;
        try {
            updated = Instant.parse(node.path("updated").asText());
        } catch (RuntimeException e) {
            updated = Instant.EPOCH;
        }
        return Optional.of(new VersionEntry(server, gun, versions, updated));
    }
}
