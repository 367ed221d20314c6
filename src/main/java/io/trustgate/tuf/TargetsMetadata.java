package io.trustgate.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A targets role's metadata ({@code targets} or a delegation such as {@code targets/releases}): the signed
 * targets and the delegations it declares.
 *
 * @param metadata       the envelope
 * @param targets        target path -> target
 * @param delegationKeys key id -> key, for the delegated roles
 * @param delegations    the delegated roles, in declaration order
 */
public record TargetsMetadata(
        SignedMetadata metadata,
        Map<String, TargetFile> targets,
        Map<String, TufKey> delegationKeys,
        List<DelegatedRole> delegations) {

    /** Role names become file names on the server: letters, digits and {@code _.-} per segment, no {@code ..}. */
    private static final Pattern ROLE_SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

    /** Parses the metadata of the targets role named {@code role}. */
    public static TargetsMetadata parse(String role, byte[] raw) {
        SignedMetadata md = SignedMetadata.parse(role, SignedMetadata.TYPE_TARGETS, raw);
        Map<String, TargetFile> targets = new LinkedHashMap<>();
        Fields.object(role, md.signed(), "targets")
                .fields()
                .forEachRemaining(e -> targets.put(e.getKey(), TargetFile.parse(role, e.getKey(), e.getValue())));
        Map<String, TufKey> keys = new LinkedHashMap<>();
        List<DelegatedRole> delegations = new ArrayList<>();
        JsonNode d = md.signed().get("delegations");
        if (d != null && !d.isNull()) {
            if (!d.isObject()) {
                throw new MalformedMetadataException(role, "\"delegations\" must be an object");
            }
            JsonNode keyNode = d.get("keys");
            JsonNode roles = d.get("roles");
            if (roles != null && !roles.isNull() && !roles.isArray()) {
                throw new MalformedMetadataException(role, "\"delegations.roles\" must be a list");
            }
            // Count before decoding or hashing any key: the work per file is bounded by the limits, not the bytes.
            if (keyNode != null && keyNode.isObject()) {
                RootMetadata.checkKeyMap(role, keyNode);
            }
            if (roles != null && roles.isArray()) {
                roles.forEach(
                        r -> RootMetadata.checkRoleKeys(role, r.path("name").asText(), r));
            }
            if (keyNode != null && keyNode.isObject()) {
                keyNode.fields()
                        .forEachRemaining(e -> keys.put(e.getKey(), TufKey.parse(role, e.getKey(), e.getValue())));
            }
            if (roles != null && !roles.isNull()) {
                Set<String> names = new HashSet<>();
                for (JsonNode r : roles) {
                    DelegatedRole dr = delegation(role, r, keys);
                    if (!names.add(dr.name())) {
                        throw new MalformedMetadataException(role, "delegation " + dr.name() + " declared twice");
                    }
                    delegations.add(dr);
                }
            }
        }
        return new TargetsMetadata(md, Map.copyOf(targets), Map.copyOf(keys), List.copyOf(delegations));
    }

    private static DelegatedRole delegation(String role, JsonNode r, Map<String, TufKey> keys) {
        String name = Fields.text(role, r, "name");
        // Notary: a delegated role is a direct child of the role that delegates to it
        String child = name.startsWith(role + "/") ? name.substring(role.length() + 1) : "";
        if (!ROLE_SEGMENT.matcher(child).matches() || child.contains("..")) {
            throw new MalformedMetadataException(role, "delegation name " + name + " is not a child role of " + role);
        }
        List<String> keyIds = Fields.texts(role, r, "keyids");
        for (String id : keyIds) {
            if (!keys.containsKey(id)) {
                throw new MalformedMetadataException(role, "delegation " + name + " names unknown key " + id);
            }
        }
        long threshold = Fields.integer(role, r, "threshold");
        if (threshold < 1 || threshold > keyIds.size()) {
            throw new MalformedMetadataException(
                    role, "delegation " + name + " has threshold " + threshold + " with " + keyIds.size() + " keys");
        }
        return new DelegatedRole(
                name,
                Set.copyOf(keyIds),
                (int) threshold,
                Fields.texts(role, r, "paths"),
                Fields.texts(role, r, "path_hash_prefixes"));
    }

    /** The delegation named {@code name}, if this role declares it. */
    public Optional<DelegatedRole> delegation(String name) {
        return delegations.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** The keys and threshold this role assigns to its delegated role {@code name}. */
    public RoleKeys delegationKeys(String name) {
        DelegatedRole d = delegation(name)
                .orElseThrow(() -> new MalformedMetadataException(metadata.role(), "declares no delegation " + name));
        Map<String, TufKey> k = new LinkedHashMap<>();
        d.keyIds().forEach(id -> k.put(id, delegationKeys.get(id)));
        return new RoleKeys(name, k, d.threshold());
    }
}
