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
        Map<String, TufKey> keys = new LinkedHashMap<>();
        Fields.object(role, md.signed(), "keys")
                .fields()
                .forEachRemaining(e -> keys.put(e.getKey(), TufKey.parse(role, e.getKey(), e.getValue())));
        JsonNode rolesNode = Fields.object(role, md.signed(), "roles");
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
