package io.trustgate.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Typed access to required metadata fields, failing with {@link MalformedMetadataException}. */
final class Fields {
    private Fields() {}

    static JsonNode object(String role, JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isObject()) {
            throw new MalformedMetadataException(role, "\"" + field + "\" must be an object");
        }
        return n;
    }

    static String text(String role, JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isTextual()) {
            throw new MalformedMetadataException(role, "\"" + field + "\" must be a string");
        }
        return n.textValue();
    }

    static long integer(String role, JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new MalformedMetadataException(role, "\"" + field + "\" must be an integer");
        }
        return n.longValue();
    }

    static Long optionalInteger(String role, JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        return n == null || n.isNull() ? null : integer(role, parent, field);
    }

    static List<String> texts(String role, JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new MalformedMetadataException(role, "\"" + field + "\" must be a list");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw new MalformedMetadataException(role, "\"" + field + "\" must hold strings");
            }
            out.add(e.textValue());
        }
        return List.copyOf(out);
    }

    static Instant instant(String role, JsonNode parent, String field) {
        String text = text(role, parent, field);
        try {
            return Rfc3339.parse(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedMetadataException(role, "\"" + field + "\" is not an RFC 3339 time: " + text);
        }
    }

    static byte[] base64(String role, String what, String value) {
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new MalformedMetadataException(role, what + " is not base64");
        }
    }

    /** A {@code hashes} object: algorithm -> base64 digest. */
    static Map<String, byte[]> hashes(String role, JsonNode parent) {
        JsonNode n = parent.get("hashes");
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw new MalformedMetadataException(role, "\"hashes\" must be an object");
        }
        n.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw new MalformedMetadataException(role, "hash " + e.getKey() + " must be a string");
            }
            out.put(e.getKey(), base64(role, "hash " + e.getKey(), e.getValue().textValue()));
        });
        return out;
    }
}
