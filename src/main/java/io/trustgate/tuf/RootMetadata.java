package io.trustgate.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code root} role's metadata: every top-level key and, per top-level role, its key ids and threshold.
 * Parsing checks structure and key ids only; trust comes from {@link TrustedMetadataSet}.
 *
 * @param metadata the envelope
 * @param keys     key id -> key
 * @param roles    role name -> the role's key ids and threshold
 */
public record RootMetadata(SignedMetadata metadata, Map<String, TufKey> keys, Map<String, RoleKeys> roles) {

    static final List<String> TOP_LEVEL_ROLES = List.of(
            SignedMetadata.TYPE_ROOT,
            SignedMetadata.TYPE_TIMESTAMP,
            SignedMetadata.TYPE_SNAPSHOT,
            SignedMetadata.TYPE_TARGETS);

    /** Parses root metadata (e.g. {@code root.json} or {@code 2.root.json}). */
    public static RootMetadata parse(byte[] raw) {
        String role = SignedMetadata.TYPE_ROOT;
        SignedMetadata md = SignedMetadata.parse(role, SignedMetadata.TYPE_ROOT, raw);
        JsonNode keysNode = Fields.object(role, md.signed(), "keys");
        JsonNode rolesNode = Fields.object(role, md.signed(), "roles");
        // Count before decoding or hashing any key: the work per file is bounded by the limits, not the bytes.
        checkKeyMap(role, keysNode);
        TOP_LEVEL_ROLES.forEach(name -> checkRoleKeys(role, name, rolesNode.get(name)));
        Map<String, TufKey> keys = new LinkedHashMap<>();
        keysNode.fields().forEachRemaining(e -> keys.put(e.getKey(), TufKey.parse(role, e.getKey(), e.getValue())));
        Map<String, RoleKeys> roles = new HashMap<>();
        for (String name : TOP_LEVEL_ROLES) {
            JsonNode r = rolesNode.get(name);
            if (r == null || !r.isObject()) {
                throw new MalformedMetadataException(role, "no \"" + name + "\" role");
            }
            Map<String, TufKey> roleKeys = new LinkedHashMap<>();
            for (String id : Fields.texts(role, r, "keyids")) {
                TufKey k = keys.get(id);
                if (k == null) {
                    throw new MalformedMetadataException(role, "role " + name + " names unknown key " + id);
                }
                roleKeys.put(id, k);
            }
            long threshold = Fields.integer(role, r, "threshold");
            if (threshold > roleKeys.size()) {
                throw new MalformedMetadataException(
                        role,
                        "role " + name + " has threshold " + threshold + " but only " + roleKeys.size() + " keys");
            }
            roles.put(name, new RoleKeys(name, roleKeys, (int) threshold));
        }
        return new RootMetadata(md, Map.copyOf(keys), Map.copyOf(roles));
    }

    /**
     * Refuses a key map (root's {@code keys}, a targets file's {@code delegations.keys}) with more than
     * {@link Limits#MAX_KEYS_PER_FILE} keys, before any key is decoded or hashed.
     */
    static void checkKeyMap(String role, JsonNode keyMap) {
        if (keyMap != null && keyMap.size() > Limits.MAX_KEYS_PER_FILE) {
            throw new LimitExceededException(role, "keys in the file", Limits.MAX_KEYS_PER_FILE);
        }
    }

    /**
     * Refuses a role object (one of root's top-level roles, or a delegation) given more than
     * {@link Limits#MAX_KEYS_PER_ROLE} key ids, before any key is decoded or hashed.
     */
    static void checkRoleKeys(String role, String name, JsonNode roleObject) {
        JsonNode ids = roleObject == null ? null : roleObject.get("keyids");
        if (ids != null && ids.size() > Limits.MAX_KEYS_PER_ROLE) {
            throw new LimitExceededException(role, "keys for role " + name, Limits.MAX_KEYS_PER_ROLE);
        }
    }

    /** The keys and threshold of a top-level role. */
    public RoleKeys roleKeys(String role) {
        RoleKeys r = roles.get(role);
        if (r == null) {
            throw new IllegalArgumentException("not a top-level role: " + role);
        }
        return r;
    }

    public long version() {
        return metadata.version();
    }

    /** Key ids of the root role, for messages. */
    public Set<String> rootKeyIds() {
        return roleKeys(SignedMetadata.TYPE_ROOT).keys().keySet();
    }
}
