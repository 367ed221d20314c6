package io.trustgate.notary;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.tuf.CanonicalJson;
import io.trustgate.tuf.Digests;
import io.trustgate.tuf.TestKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a Notary repository in memory, python-tuf style: keys generated per test, metadata signed over
 * canonical JSON and serialised compactly, parents committing to their children's length and hashes.
 * Fields are mutable on purpose: a test changes what it attacks, then calls {@link #build()}.
 */
public final class RepoBuilder {

    public static final Duration DAY = Duration.ofDays(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A delegated role: its keys, threshold, paths and content. */
    public static final class Delegation {
        public final String name;
        public List<TestKey> keys;
        public List<TestKey> signers;
        public int threshold = 1;
        public List<String> paths = List.of("");
        public long version = 1;
        public Instant expires;
        public final Map<String, String> targets = new LinkedHashMap<>();

        Delegation(String name, List<TestKey> keys, Instant expires) {
            this.name = name;
            this.keys = keys;
            this.signers = keys;
            this.expires = expires;
        }
    }

    public final String gun;
    public final Instant now;
    public TestKey rootKey;
    public List<TestKey> rootKeys;
    public List<TestKey> rootSigners;
    public TestKey timestampKey = TestKey.ed25519();
    public TestKey snapshotKey = TestKey.ecdsa();
    public List<TestKey> targetsKeys = List.of(TestKey.ecdsa());
    public List<TestKey> targetsSigners = targetsKeys;
    public int targetsThreshold = 1;
    public long rootVersion = 1;
    public long timestampVersion = 1;
    public long snapshotVersion = 1;
    public long targetsVersion = 1;
    public Instant rootExpires;
    public Instant timestampExpires;
    public Instant snapshotExpires;
    public Instant targetsExpires;
    public final Map<String, String> targets = new LinkedHashMap<>();
    public final List<Delegation> delegations = new ArrayList<>();
    /** role -> signature method to write instead of the key's own (to forge an algorithm switch). */
    public final Map<String, String> methodOverride = new HashMap<>();

    private String rootFields;
    private byte[] rootBytes;

    public RepoBuilder(String gun, Instant now) {
        this.gun = gun;
        this.now = now;
        this.rootKey = TestKey.rootCertificate(gun, now.minus(DAY), now.plus(DAY.multipliedBy(3650)));
        this.rootKeys = List.of(rootKey);
        this.rootSigners = rootKeys;
        this.rootExpires = now.plus(DAY.multipliedBy(3650));
        this.timestampExpires = now.plus(DAY.multipliedBy(14));
        this.snapshotExpires = now.plus(DAY.multipliedBy(1095));
        this.targetsExpires = snapshotExpires;
    }

    public Delegation delegate(String name, TestKey key) {
        Delegation d = new Delegation(name, List.of(key), targetsExpires);
        delegations.add(d);
        return d;
    }

    /** Every role file of the repository, as the server would serve it. */
    public Map<String, byte[]> build() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("root", root());
        ObjectNode targetsSigned = signed("Targets", targetsVersion, targetsExpires);
        targetsSigned.set("targets", targetsNode(targets));
        ObjectNode delegationsNode = targetsSigned.putObject("delegations");
        ObjectNode keys = delegationsNode.putObject("keys");
        ArrayNode roles = delegationsNode.putArray("roles");
        Map<String, byte[]> delegated = new LinkedHashMap<>();
        for (Delegation d : delegations) {
            d.keys.forEach(k -> keys.set(k.id(), key(k)));
            ObjectNode r = roles.addObject();
            r.put("name", d.name);
            ArrayNode ids = r.putArray("keyids");
            d.keys.forEach(k -> ids.add(k.id()));
            r.put("threshold", d.threshold);
            ArrayNode paths = r.putArray("paths");
            d.paths.forEach(paths::add);
            ObjectNode ds = signed("Targets", d.version, d.expires);
            ds.set("targets", targetsNode(d.targets));
            ObjectNode emptyDelegations = ds.putObject("delegations");
            emptyDelegations.putObject("keys");
            emptyDelegations.putArray("roles");
            delegated.put(d.name, envelope(d.name, ds, d.signers));
        }
        files.put("targets", envelope("targets", targetsSigned, targetsSigners));
        files.putAll(delegated);
        ObjectNode snapshotSigned = signed("Snapshot", snapshotVersion, snapshotExpires);
        ObjectNode meta = snapshotSigned.putObject("meta");
        meta.set("root", meta(files.get("root")));
        meta.set("targets", meta(files.get("targets")));
        delegated.forEach((name, bytes) -> meta.set(name, meta(bytes)));
        files.put("snapshot", envelope("snapshot", snapshotSigned, List.of(snapshotKey)));
        ObjectNode timestampSigned = signed("Timestamp", timestampVersion, timestampExpires);
        timestampSigned.putObject("meta").set("snapshot", meta(files.get("snapshot")));
        files.put("timestamp", envelope("timestamp", timestampSigned, List.of(timestampKey)));
        return files;
    }

    /**
     * The root metadata for the current root fields. Like a Notary server, which stores root.json as
     * published, the same fields give the same bytes (ECDSA signatures would differ on every signing).
     */
    public byte[] root() {
        String fields = String.join(
                "|",
                String.valueOf(rootVersion),
                rootExpires.toString(),
                ids(rootKeys),
                ids(rootSigners),
                timestampKey.id(),
                snapshotKey.id(),
                ids(targetsKeys),
                String.valueOf(targetsThreshold),
                methodOverride.toString());
        if (!fields.equals(rootFields)) {
            rootBytes = signRoot();
            rootFields = fields;
        }
        return rootBytes;
    }

    private static String ids(List<TestKey> keys) {
        return keys.stream().map(TestKey::id).reduce("", (a, b) -> a + "," + b);
    }

    private byte[] signRoot() {
        ObjectNode s = signed("Root", rootVersion, rootExpires);
        s.put("consistent_snapshot", false);
        ObjectNode keys = s.putObject("keys");
        List<TestKey> all = new ArrayList<>(rootKeys);
        all.addAll(List.of(timestampKey, snapshotKey));
        all.addAll(targetsKeys);
        all.forEach(k -> keys.set(k.id(), key(k)));
        ObjectNode roles = s.putObject("roles");
        role(roles, "root", rootKeys, 1);
        role(roles, "timestamp", List.of(timestampKey), 1);
        role(roles, "snapshot", List.of(snapshotKey), 1);
        role(roles, "targets", targetsKeys, targetsThreshold);
        return envelope("root", s, rootSigners);
    }

    public void publish(InMemoryNotaryServer server) {
        build().forEach((role, bytes) -> server.put(gun, role, bytes));
    }

    private static void role(ObjectNode roles, String name, List<TestKey> keys, int threshold) {
        ObjectNode r = roles.putObject(name);
        ArrayNode ids = r.putArray("keyids");
        keys.forEach(k -> ids.add(k.id()));
        r.put("threshold", threshold);
    }

    private static ObjectNode key(TestKey k) {
        ObjectNode n = JSON.createObjectNode();
        n.put("keytype", k.keyType());
        ObjectNode v = n.putObject("keyval");
        v.putNull("private");
        v.put("public", k.publicB64());
        return n;
    }

    private static ObjectNode signed(String type, long version, Instant expires) {
        ObjectNode s = JSON.createObjectNode();
        s.put("_type", type);
        s.put("expires", expires.toString());
        s.put("version", version);
        return s;
    }

    private static ObjectNode targetsNode(Map<String, String> tagToHex) {
        ObjectNode t = JSON.createObjectNode();
        tagToHex.forEach((tag, hex) -> {
            ObjectNode e = t.putObject(tag);
            e.putObject("hashes")
                    .put(
                            "sha256",
                            Base64.getEncoder()
                                    .encodeToString(java.util.HexFormat.of().parseHex(hex)));
            e.put("length", 1234);
        });
        return t;
    }

    public static ObjectNode meta(byte[] bytes) {
        ObjectNode m = JSON.createObjectNode();
        ObjectNode h = m.putObject("hashes");
        h.put("sha256", Base64.getEncoder().encodeToString(Digests.digest("SHA-256", bytes)));
        h.put("sha512", Base64.getEncoder().encodeToString(Digests.digest("SHA-512", bytes)));
        m.put("length", bytes.length);
        return m;
    }

    private byte[] envelope(String role, ObjectNode signed, List<TestKey> signers) {
        byte[] canonical = CanonicalJson.encode(signed);
        ObjectNode env = JSON.createObjectNode();
        env.set("signed", signed);
        ArrayNode sigs = env.putArray("signatures");
        for (TestKey k : signers) {
            ObjectNode sig = sigs.addObject();
            sig.put("keyid", k.id());
            sig.put("method", methodOverride.getOrDefault(role, k.method()));
            sig.put("sig", Base64.getEncoder().encodeToString(k.sign(canonical)));
        }
        try {
            return JSON.writeValueAsBytes(env);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A digest made of one repeated hex digit, e.g. {@code digest('a')}. */
    public static String hex(char c) {
        return String.valueOf(c).repeat(64);
    }
}
