package io.trustgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustgate.admission.AdmissionHandler;
import io.trustgate.admission.ReviewParser;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.image.ImageReference;
import io.trustgate.notary.NotaryClient;
import io.trustgate.notary.RepoBuilder;
import io.trustgate.notary.TrustDataNotFoundException;
import io.trustgate.pgp.PgpKeys;
import io.trustgate.pgp.PgpLimits;
import io.trustgate.pgp.SignatureCheck;
import io.trustgate.pgp.SignedIdentity;
import io.trustgate.pgp.SimpleSigning;
import io.trustgate.pgp.TestKeyrings;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.PolicySet;
import io.trustgate.policy.Signer;
import io.trustgate.tuf.Limits;
import io.trustgate.tuf.RootPins;
import io.trustgate.tuf.TestKey;
import io.trustgate.verify.ImageVerifier;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.bouncycastle.bcpg.BCPGOutputStream;
import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPCompressedDataGenerator;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/**
 * The "worst case per bound" phase of the bench (issue 10): for the worst input each bound still ACCEPTS, the
 * thread CPU time and the bytes allocated (ThreadMXBean#getThreadAllocatedBytes: allocation, not retained heap)
 * of the work it causes, in-process and without network. Every case runs on the calling thread (in-memory
 * fetchers and registries answer with completed futures), so the current thread's counters see all of it.
 * Targets: under 1 s of CPU and 32 MiB allocated per case.
 *
 * <p>{@link Bench} appends {@link #section()} to docs/benchmarks.md; {@link #main} runs this phase alone
 * (after {@code ./mvnw test-compile}) and replaces that section in {@code BENCH_OUT} (default
 * docs/benchmarks.md).
 */
public final class BoundsBench {

    static final String HEADING = "## Worst case per bound";
    private static final double TARGET_CPU_MS = 1000;
    private static final long TARGET_ALLOCATED = 32L * 1024 * 1024;
    private static final int RUNS = 5;
    private static final String DIGEST = "sha256:" + "ab".repeat(32);
    private static final String IDENTITY = "registry.example.test/team/app:1.0";
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** One measured case: the first (cold) run, then the median of {@link #RUNS} warm runs. */
    record Row(String input, String bound, double coldCpuMs, double cpuMs, long allocated, String outcome) {
        boolean met() {
            return coldCpuMs < TARGET_CPU_MS && allocated < TARGET_ALLOCATED;
        }
    }

    private BoundsBench() {}

    public static void main(String[] args) throws Exception {
        String section = section();
        System.out.println(section);
        Path out = Path.of(System.getenv().getOrDefault("BENCH_OUT", "docs/benchmarks.md"));
        if (Files.exists(out)) {
            String md = Files.readString(out);
            int start = md.indexOf(HEADING);
            if (start >= 0) {
                int next = md.indexOf("\n## ", start + HEADING.length());
                int marker = md.indexOf(Bench.LIMITS_MARKER, start);
                int end = next < 0 ? marker : marker < 0 ? next + 1 : Math.min(next + 1, marker);
                md = md.substring(0, start) + section + (end < 0 ? "" : md.substring(end));
            } else {
                int marker = md.indexOf(Bench.LIMITS_MARKER);
                md = marker < 0 ? md + "\n" + section : md.substring(0, marker) + section + md.substring(marker);
            }
            Files.writeString(out, md);
            System.out.println("wrote " + out);
        }
    }

    /** Measures every case and returns the markdown section (heading, table, load average). */
    public static String section() throws Exception {
        String loadBefore = load();
        List<Row> rows = new ArrayList<>();
        rows.add(signatureFiles());
        rows.add(tufSignatures());
        rows.add(tufDelegations());
        rows.addAll(bigReview());
        rows.add(manyImages());
        rows.add(longestPattern());
        rows.add(largestKeyring());
        String loadAfter = load();

        StringBuilder md = new StringBuilder(HEADING).append("\n\n");
        md.append("Written by `io.trustgate.bench.BoundsBench` (also run alone: see its class comment). For the worst ")
                .append("input each bound still accepts: thread CPU of the first run (cold JIT) and the median of ")
                .append(RUNS)
                .append(" further runs, and the bytes the thread allocated (median run; allocation, not retained ")
                .append("heap: retained heap is at most this). Targets: < 1 s CPU and < 32 MiB allocated per case. ")
                .append("Load average (1/5/15 min) before ")
                .append(loadBefore)
                .append(", after ")
                .append(loadAfter)
                .append(".\n\n");
        md.append(
                "| worst accepted input | bound at work | CPU cold | CPU warm (median) | allocated | outcome | target |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            md.append("| ")
                    .append(r.input())
                    .append(" | ")
                    .append(r.bound())
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f ms", r.coldCpuMs()))
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f ms", r.cpuMs()))
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f MiB", r.allocated() / 1048576.0))
                    .append(" | ")
                    .append(r.outcome())
                    .append(" | ")
                    .append(r.met() ? "met" : "**missed**")
                    .append(" |\n");
        }
        md.append('\n');
        return md.toString();
    }

    private static Row measure(String input, String bound, Callable<String> work) throws Exception {
        double cold = cpuMs(work)[0];
        double[] cpu = new double[RUNS];
        long[] allocated = new long[RUNS];
        String outcome = null;
        for (int i = 0; i < RUNS; i++) {
            long bytes = THREADS.getCurrentThreadAllocatedBytes();
            long start = THREADS.getCurrentThreadCpuTime();
            outcome = work.call();
            cpu[i] = (THREADS.getCurrentThreadCpuTime() - start) / 1e6;
            allocated[i] = THREADS.getCurrentThreadAllocatedBytes() - bytes;
        }
        Arrays.sort(cpu);
        Arrays.sort(allocated);
        Row row = new Row(input, bound, cold, cpu[RUNS / 2], allocated[RUNS / 2], outcome);
        System.out.printf(
                Locale.ROOT,
                "%s: cold %.1f ms, warm %.1f ms CPU, %.1f MiB allocated (%s)%n",
                input,
                cold,
                row.cpuMs(),
                row.allocated() / 1048576.0,
                outcome);
        return row;
    }

    private static double[] cpuMs(Callable<String> work) throws Exception {
        long start = THREADS.getCurrentThreadCpuTime();
        work.call();
        return new double[] {(THREADS.getCurrentThreadCpuTime() - start) / 1e6};
    }

    // ------------------------------------------------------------------------------------------- OpenPGP

    private static PGPKeyPair ed25519() throws Exception {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        return new BcPGPKeyPair(
                PublicKeyAlgorithmTags.EDDSA_LEGACY, generator.generateKeyPair(), Date.from(NOW.minusSeconds(86400)));
    }

    /**
     * The largest simple signature accepted: a payload of exactly {@link PgpLimits#MAX_PAYLOAD_BYTES} (padded
     * with random base64 in {@code optional}, so it compresses poorly), and marker packets up to
     * {@link PgpLimits#MAX_PACKETS}, all in one compressed packet; signed by a trusted key. Sixteen of them
     * (the default signatures read per image) are verified together.
     */
    private static Row signatureFiles() throws Exception {
        PGPKeyPair key = ed25519();
        PGPSignatureSubpacketGenerator flags = new PGPSignatureSubpacketGenerator();
        flags.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
        PGPKeyRingGenerator ring = new PGPKeyRingGenerator(
                PGPSignature.POSITIVE_CERTIFICATION,
                key,
                "Signer <signer@example.test>",
                new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1),
                flags.generate(),
                null,
                new BcPGPContentSignerBuilder(key.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256),
                null);
        PgpKeys trusted = PgpKeys.parse(ring.generatePublicKeyRing().getEncoded());

        String head = "{\"critical\":{\"type\":\"" + SimpleSigning.SIGNATURE_TYPE
                + "\",\"image\":{\"docker-manifest-digest\":\"" + DIGEST
                + "\"},\"identity\":{\"docker-reference\":\"" + IDENTITY + "\"}},\"optional\":{\"pad\":\"";
        String tail = "\"}}";
        byte[] random = new byte[PgpLimits.MAX_PAYLOAD_BYTES];
        new SecureRandom().nextBytes(random);
        String pad = Base64.getEncoder()
                .encodeToString(random)
                .substring(0, PgpLimits.MAX_PAYLOAD_BYTES - head.length() - tail.length());
        byte[] payload = (head + pad + tail).getBytes(StandardCharsets.UTF_8);

        PGPSignatureGenerator generator = new PGPSignatureGenerator(
                new BcPGPContentSignerBuilder(key.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256),
                key.getPublicKey());
        generator.init(PGPSignature.BINARY_DOCUMENT, key.getPrivateKey());
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setSignatureCreationTime(false, Date.from(NOW.minusSeconds(60)));
        hashed.setIssuerFingerprint(false, key.getPublicKey());
        generator.setHashedSubpackets(hashed.generate());
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        int markers = PgpLimits.MAX_PACKETS - 4; // compressed data, one-pass signature, literal data, signature
        for (int i = 0; i < markers; i++) {
            inner.write(new byte[] {(byte) 0xA8, 0x03, 'P', 'G', 'P'});
        }
        BCPGOutputStream packets = new BCPGOutputStream(inner);
        generator.generateOnePassVersion(false).encode(packets);
        try (OutputStream data = new PGPLiteralDataGenerator()
                .open(packets, PGPLiteralData.BINARY, "", payload.length, Date.from(NOW.minusSeconds(60)))) {
            data.write(payload);
        }
        generator.update(payload);
        generator.generate().encode(packets);
        packets.close();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        PGPCompressedDataGenerator compressor = new PGPCompressedDataGenerator(CompressionAlgorithmTags.ZLIB, 9);
        try (OutputStream body = compressor.open(file)) {
            body.write(inner.toByteArray());
        }
        byte[] signature = file.toByteArray();
        if (signature.length > PgpLimits.MAX_SIGNATURE_BYTES) {
            throw new IllegalStateException("the crafted signature is over the file bound: " + signature.length);
        }
        SimpleSigning signing = new SimpleSigning(Clock.fixed(NOW, ZoneOffset.UTC));
        List<byte[]> files = Collections.nCopies(16, signature);
        ImageReference image = ImageReference.parse(IDENTITY);
        return measure(
                "16 lookaside signatures of " + signature.length + " bytes, each a " + payload.length
                        + "-byte payload and " + PgpLimits.MAX_PACKETS + " packets",
                "`PgpLimits` (file, payload, inflated bytes, packets); 16 signatures per image",
                () -> {
                    List<SignatureCheck> checks =
                            signing.verifyAll(files, trusted, DIGEST, image, SignedIdentity.DEFAULT);
                    long valid = checks.stream()
                            .filter(c -> c instanceof SignatureCheck.Valid)
                            .count();
                    return valid == files.size() ? "16 valid" : "not valid: " + checks.get(0);
                });
    }

    /**
     * {@link PgpLimits#MAX_KEYRING_KEYS} keys in one armoured block after {@link PgpLimits#MAX_PACKETS} marker
     * packets, the whole input padded with text (which the reader skips) to {@link PgpLimits#MAX_KEYRING_BYTES}.
     */
    private static Row largestKeyring() throws Exception {
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        for (int i = 0; i < PgpLimits.MAX_PACKETS; i++) {
            binary.write(new byte[] {(byte) 0xA8, 0x03, 'P', 'G', 'P'});
        }
        binary.write(TestKeyrings.binary(PgpLimits.MAX_KEYRING_KEYS));
        ByteArrayOutputStream armoured = new ByteArrayOutputStream();
        try (org.bouncycastle.bcpg.ArmoredOutputStream armour =
                new org.bouncycastle.bcpg.ArmoredOutputStream(armoured)) {
            armour.write(binary.toByteArray());
        }
        byte[] block = armoured.toByteArray();
        byte[] keyring = new byte[PgpLimits.MAX_KEYRING_BYTES];
        Arrays.fill(keyring, (byte) 'x');
        keyring[keyring.length - block.length - 1] = '\n';
        System.arraycopy(block, 0, keyring, keyring.length - block.length, block.length);
        return measure(
                "a keyring of " + keyring.length + " bytes: text, then " + PgpLimits.MAX_PACKETS
                        + " marker packets and " + PgpLimits.MAX_KEYRING_KEYS + " keys in one armoured block",
                "`PgpLimits.MAX_KEYRING_BYTES`, `MAX_KEYRING_KEYS`, `MAX_PACKETS` (markers)",
                () -> PgpKeys.parse(keyring).primaryFingerprints().size() + " keys read");
    }

    // ------------------------------------------------------------------------------------------- TUF

    private static CompletableFuture<byte[]> serve(Map<String, byte[]> files, String gun, String roleFile) {
        byte[] bytes = files.get(roleFile.replaceFirst("\\.json$", ""));
        return bytes == null
                ? CompletableFuture.failedFuture(new TrustDataNotFoundException(gun, roleFile))
                : CompletableFuture.completedFuture(bytes);
    }

    private static Row tufUpdate(String input, String bound, RepoBuilder repo, String role) throws Exception {
        Map<String, byte[]> files = repo.build();
        RootPins pins = RootPins.of(repo.rootKey.publicPem());
        return measure(input, bound, () -> {
            NotaryClient client = new NotaryClient(
                    (gun, file, max) -> serve(files, gun, file), Clock.fixed(NOW, ZoneOffset.UTC), Limits.DEFAULT);
            return client.update(repo.gun, pins).join().role(role).isPresent() ? "trusted" : "role missing";
        });
    }

    /** A 32-key targets role signed 64 times (every key twice): the most signatures any role may carry. */
    private static Row tufSignatures() throws Exception {
        RepoBuilder repo = new RepoBuilder("registry.example.test/team/app", NOW);
        List<TestKey> keys = IntStream.range(0, Limits.MAX_KEYS_PER_ROLE)
                .mapToObj(i -> TestKey.ecdsa())
                .toList();
        List<TestKey> signers = new ArrayList<>(keys);
        signers.addAll(keys);
        repo.targets.put("1.0", "a".repeat(64));
        repo.targetsKeys = keys;
        repo.targetsSigners = signers;
        return tufUpdate(
                "a Notary update whose targets role has " + keys.size() + " keys and " + signers.size()
                        + " signatures (ECDSA P-256)",
                "`Limits.MAX_SIGNATURES`, `MAX_KEYS_PER_ROLE`",
                repo,
                "targets");
    }

    /** {@link Limits#maxDelegations} delegated roles, one key each, all loaded in one update. */
    private static Row tufDelegations() throws Exception {
        RepoBuilder repo = new RepoBuilder("registry.example.test/team/app", NOW);
        int count = Math.min(Limits.DEFAULT.maxDelegations(), Limits.MAX_KEYS_PER_FILE);
        for (int i = 0; i < count; i++) {
            repo.delegate("targets/team" + i, TestKey.ecdsa()).targets.put("1." + i, "a".repeat(64));
        }
        return tufUpdate(
                "a Notary update loading " + count + " delegated roles (" + count + " delegation keys)",
                "`Limits.maxDelegations`, `MAX_KEYS_PER_FILE`",
                repo,
                "targets/team" + (count - 1));
    }

    // ------------------------------------------------------------------------------------------- reviews

    private static final String UNGOVERNED_PATTERN;

    static {
        String stars = "registry.example/" + "**a".repeat((ImagePattern.MAX_PATTERN_LENGTH - 17) / 3 - 1);
        UNGOVERNED_PATTERN = stars + "b".repeat(ImagePattern.MAX_PATTERN_LENGTH - stars.length());
    }

    /** A handler with one policy whose pattern is the longest, most backtracking-prone one, and governs nothing. */
    private static AdmissionHandler handler() throws Exception {
        Policy policy = Policy.builder(PolicyId.cluster("longest-pattern"), "uid", "1")
                .images(List.of(ImagePattern.compile(UNGOVERNED_PATTERN)))
                .lookaside("https://s.example.com")
                .signers(List.of(Signer.builder("alice").keys(List.of("k")).build()))
                .build();
        PolicySet set = new PolicySet(List.of(policy), List.of());
        return AdmissionHandler.builder(
                        () -> set,
                        new ImageVerifier(
                                (ref, creds) -> CompletableFuture.failedFuture(
                                        new IllegalStateException("no network in this bench: " + ref)),
                                List.of()),
                        TrustgateSettings.defaults().deadline())
                .unmatched(AdmissionHandler.Unmatched.allow)
                .build();
    }

    /** The longest name a reference allows: registry.example/ then 'a' up to 255 characters, then a tag. */
    private static String longestImage(int i) {
        String host = "registry.example";
        String suffix = String.format(Locale.ROOT, "%02d", i);
        return host + "/" + "a".repeat(ImageReference.MAX_NAME_LENGTH - host.length() - 1 - suffix.length()) + suffix
                + ":1.0";
    }

    private static String review(String object) {
        return "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u-1\","
                + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"operation\":\"CREATE\","
                + "\"namespace\":\"default\",\"object\":" + object + "}}";
    }

    private static String pod(String extraMetadata, List<String> images) {
        StringBuilder containers = new StringBuilder();
        for (int i = 0; i < images.size(); i++) {
            containers
                    .append(i == 0 ? "" : ",")
                    .append("{\"name\":\"c")
                    .append(i)
                    .append("\",\"image\":\"")
                    .append(images.get(i))
                    .append("\"}");
        }
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"" + extraMetadata
                + "},\"spec\":{\"containers\":[" + containers + "]}}";
    }

    /**
     * A review of {@link ReviewParser#MAX_REVIEW_BYTES} (less a few bytes) nested to {@link
     * ReviewParser#MAX_NESTING_DEPTH}: thousands of 1 KiB annotations and one chain of nested objects. Measured
     * twice: the parse alone (what runs on the Vert.x event loop) and parse plus decision.
     */
    private static List<Row> bigReview() throws Exception {
        String deepest = null;
        for (int depth = ReviewParser.MAX_NESTING_DEPTH; depth > 0 && deepest == null; depth--) {
            String chain = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
            String body = review(pod(",\"deep\":" + chain, List.of("busybox:1.36")));
            try {
                ReviewParser.parse(body.getBytes(StandardCharsets.UTF_8));
                deepest = chain;
            } catch (io.trustgate.admission.MalformedReviewException e) {
                // one level too deep: try one less
            }
        }
        String value = "x".repeat(1000);
        StringBuilder annotations = new StringBuilder(",\"annotations\":{");
        String shell = review(pod(",\"deep\":" + deepest + annotations + "}", List.of("busybox:1.36")));
        int room = ReviewParser.MAX_REVIEW_BYTES - shell.length();
        int entry = ("\"k000000\":\"" + value + "\",").length();
        for (int i = 0; i < room / entry; i++) {
            annotations
                    .append(i == 0 ? "" : ",")
                    .append(String.format(Locale.ROOT, "\"k%06d\":\"", i))
                    .append(value)
                    .append('"');
        }
        byte[] body = review(pod(",\"deep\":" + deepest + annotations + "}", List.of("busybox:1.36")))
                .getBytes(StandardCharsets.UTF_8);
        if (body.length > ReviewParser.MAX_REVIEW_BYTES) {
            throw new IllegalStateException("the crafted review is over the bound: " + body.length);
        }
        AdmissionHandler handler = handler();
        String what = "a review of " + body.length + " bytes nested " + ReviewParser.MAX_NESTING_DEPTH + " deep";
        Row parse = measure(
                what + ": parse only (the event-loop part)",
                "`ReviewParser.MAX_REVIEW_BYTES`, `MAX_NESTING_DEPTH`",
                () -> ReviewParser.parse(body).path("request").path("uid").asText());
        Row decide = measure(what + ": parse and decision", "as above", () -> {
            JsonNode review = ReviewParser.parse(body);
            return handler.decide(review).join().allowed() ? "allowed (ungoverned)" : "denied";
        });
        return List.of(parse, decide);
    }

    /** {@link AdmissionHandler#MAX_IMAGES_PER_REVIEW} distinct 255-character names, none governed. */
    private static Row manyImages() throws Exception {
        List<String> images = IntStream.range(0, AdmissionHandler.MAX_IMAGES_PER_REVIEW)
                .mapToObj(BoundsBench::longestImage)
                .toList();
        byte[] body = review(pod("", images)).getBytes(StandardCharsets.UTF_8);
        AdmissionHandler handler = handler();
        return measure(
                "a review of " + images.size() + " distinct 255-character images, each matched against the "
                        + "longest pattern, none governed",
                "`AdmissionHandler.MAX_IMAGES_PER_REVIEW`, `ImagePattern.MAX_PATTERN_LENGTH`",
                () -> {
                    var d = handler.decide(ReviewParser.parse(body)).join();
                    return d.allowed() ? "allowed (ungoverned)" : "denied: " + d.reason();
                });
    }

    /** The longest pattern (512 characters of {@code **a}) against the longest repository name (255). */
    private static Row longestPattern() throws Exception {
        ImagePattern pattern = ImagePattern.compile(UNGOVERNED_PATTERN);
        ImageReference image = ImageReference.parse(longestImage(0));
        return measure(
                "the longest pattern (" + UNGOVERNED_PATTERN.length() + " characters, "
                        + UNGOVERNED_PATTERN.split("\\*\\*", -1).length + " `**`) against a 255-character name",
                "`ImagePattern.MAX_PATTERN_LENGTH`, `GlobMatcher` (linear)",
                () -> pattern.matches(image) ? "matched" : "no match");
    }

    private static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
