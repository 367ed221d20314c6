package io.trustgate.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A bearer token from a registry's token server, and when to stop using it.
 *
 * @param value the token ({@code token} or, failing that, {@code access_token} of the answer)
 * @param expiresAt fetch time plus {@code expires_in} (the token spec's default of 60 s when absent), kept
 *     between {@link #DEFAULT_LIFETIME} and {@link #MAX_LIFETIME}
 */
public record RegistryToken(String value, Instant expiresAt) {

    /** The token spec's lifetime when {@code expires_in} is absent, and the shortest it allows. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
    /**
     * The longest a token is reused, whatever {@code expires_in} says: a revoked pull secret or a token server
     * that hands out year-long tokens is then noticed within the hour.
     */
    public static final Duration MAX_LIFETIME = Duration.ofHours(1);

    private static final ObjectMapper JSON = new ObjectMapper();

    public RegistryToken {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /**
     * Parses a token server's JSON answer.
     *
     * @param fetchedAt when the answer arrived (from the caller's clock)
     * @throws IllegalArgumentException when the answer is not JSON or has no token
     */
    public static RegistryToken parse(byte[] json, Instant fetchedAt) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("token answer is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("token answer is not a JSON object");
        }
        String token = text(node, "token");
        if (token == null) {
            token = text(node, "access_token");
        }
        if (token == null) {
            throw new IllegalArgumentException("token answer has neither \"token\" nor \"access_token\"");
        }
        Duration lifetime = DEFAULT_LIFETIME;
        JsonNode expiresIn = node.get("expires_in");
        if (expiresIn != null && expiresIn.canConvertToLong() && expiresIn.asLong() > 0) {
            lifetime = Duration.ofSeconds(
                    Math.min(Math.max(expiresIn.asLong(), DEFAULT_LIFETIME.toSeconds()), MAX_LIFETIME.toSeconds()));
        }
        return new RegistryToken(token, fetchedAt.plus(lifetime));
    }

    /** Whether the token may still be sent at {@code now}. */
    public boolean validAt(Instant now) {
        return now.isBefore(expiresAt);
    }

    @Override
    public String toString() {
        return "RegistryToken[expiresAt=" + expiresAt + "]";
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
    }
}
