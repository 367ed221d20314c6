package io.trustgate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustgate.config.Setting;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.image.ImageReference;
import io.trustgate.image.InvalidImageReferenceException;
import io.trustgate.notary.NotaryClient;
import io.trustgate.notary.RoleExpiry;
import io.trustgate.notary.TrustedRepository;
import io.trustgate.transport.NotaryFetchException;
import io.trustgate.transport.TransportOptions;
import io.trustgate.transport.VertxTrustDataFetcher;
import io.trustgate.tuf.InvalidPinException;
import io.trustgate.tuf.KeyPin;
import io.trustgate.tuf.Limits;
import io.trustgate.tuf.RootMetadata;
import io.trustgate.tuf.RootPins;
import io.trustgate.tuf.SignedMetadata;
import io.trustgate.tuf.TargetFile;
import io.trustgate.tuf.TrustDataException;
import io.trustgate.tuf.TrustedTargets;
import io.trustgate.tuf.TufKey;
import io.trustgate.verify.NotarySignatureSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code trustgate inspect}: the signatures of an image in every format, and why each counts or not.
 *
 * <ul>
 *   <li>With {@code --policies}, every signature the governing policies' sources examine (GPG, cosign 2.x
 *       {@code .sig}, cosign 3 bundles, Notation, Notary) through the webhook's own verifier stack: where it was
 *       found, the digest, the key, certificate subject or keyless identity it verified under, the signer it counts
 *       for, or why it does not count; and each policy's verdict.
 *   <li>Without {@code --policies}, the cosign ({@code .sig} tag, bundle referrers) and Notation signatures the
 *       registry holds for the image's digest, NOT verified: format, where found, the digest each names, the key id
 *       or certificate it claims ({@link InspectRegistrySignatures}).
 *   <li>With a Notary server, what the repository's Notary v1 trust data signs, like
 *       {@code docker trust inspect --pretty}: signed tags and digests, the roles and keys that signed them, and
 *       every role's expiry (informational: the root may be trusted on first use).
 * </ul>
 */
@Command(
        name = "inspect",
        sortOptions = false,
        description = {
            "Shows an image's signatures in every format and why each counts or not.",
            "With --policies: every signature the governing policies look at (GPG, cosign .sig, cosign bundles,",
            "Notation, Notary), what it verified under, the signer it counts for or why not, and each verdict.",
            "With a Notary server: the repository's Notary (Docker Content Trust) trust data, like",
            "docker trust inspect --pretty: signed tags, digests, roles, keys and every role's expiry.",
            "Without --policies: also the cosign and Notation signatures the registry holds for the digest,",
            "NOT verified (format, where found, signed digest, claimed key or certificate)."
        })
final class InspectCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEX_KEY_ID = Pattern.compile("[0-9a-fA-F]{64}");

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image; with a tag, only that tag is shown.")
    String image;

    @Option(
            names = "--notary-server",
            paramLabel = "URL",
            description = "The Notary server (default: https://notary.docker.io for docker.io images).")
    String server;

    @Option(
            names = "--root-key",
            paramLabel = "PEM-FILE|KEYID",
            description =
                    "A pinned root key: a PEM public key or certificate file, or a 64-digit hex key id. Repeatable. "
                            + "Without one, the root served is trusted on first use.")
    List<String> rootKeys = new ArrayList<>();

    @Option(
            names = "--policies",
            paramLabel = "DIR",
            description = "Directory of TrustPolicy, ClusterTrustPolicy and Secret YAML, as for check: show every "
                    + "signature the policies governing IMAGE look at, and their verdicts (default: "
                    + "$TRUSTGATE_POLICIES_DIR if set).")
    Path policies;

    @Mixin
    ReviewScopeOptions scope = new ReviewScopeOptions();

    @Mixin
    SettingsOptions settingsOptions = new SettingsOptions();

    @Option(
            names = {"-o", "--output"},
            paramLabel = "text|json",
            defaultValue = "text",
            description = "text or json.")
    Output output;

    @Override
    public Integer call() throws Exception {
        ImageReference ref;
        try {
            ref = ImageReference.parse(image);
        } catch (InvalidImageReferenceException e) {
            throw new CliException(e.getMessage(), e);
        }
        Path policyDir = policies != null
                ? policies
                : Optional.ofNullable(main.env().get(Setting.POLICIES_DIR.env()))
                        .filter(v -> !v.isBlank())
                        .map(Path::of)
                        .orElse(null);
        String url = server != null
                ? server.replaceAll("/+$", "")
                : policyDir == null && ref.domain().equals(ImageReference.DOCKER_HUB)
                        ? NotarySignatureSource.DOCKER_HUB_NOTARY
                        : null;
        ObjectNode json = JSON.createObjectNode();
        PrintWriter out = spec.commandLine().getOut();
        int code = Main.OK;
        if (policyDir != null) {
            code = SignatureInspection.run(
                    ref,
                    policyDir,
                    scope.namespace,
                    scope.labels(),
                    settings(),
                    main.clock(),
                    output == Output.json ? null : out,
                    spec.commandLine().getErr(),
                    json);
        }
        if (url != null) {
            if (policyDir != null && output != Output.json) {
                out.println();
            }
            code = Math.max(code, notary(ref, url, json, out));
        }
        if (policyDir == null) {
            // No policy names keys: show what the registry holds, unverified and labelled so.
            if (url != null && output != Output.json) {
                out.println();
            }
            code = Math.max(
                    code,
                    InspectRegistrySignatures.run(
                            ref, settings(), main.clock(), output == Output.json ? null : out, json, url != null));
        }
        if (output == Output.json) {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        }
        return code;
    }

    /** The webhook's settings from the environment, with this command's flags over them. */
    private TrustgateSettings settings() {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        scope.putInsecureRegistries(main.env(), flags);
        return settingsOptions.load(main.env(), flags);
    }

    /** The Notary section: the repository's trust data, through the admission TUF client. */
    private int notary(ImageReference ref, String url, ObjectNode json, PrintWriter out) throws Exception {
        String onlyTag = explicitTag(image) ? ref.tag() : null;
        String gun = ref.repository();
        Clock clock = main.clock();
        PrintWriter err = spec.commandLine().getErr();
        if (NotarySignatureSource.isDockerHubNotary(url)) {
            // Nothing answers there any more: say so rather than wait for a connection that cannot succeed.
            if (!clock.instant().isBefore(NotarySignatureSource.DOCKER_HUB_NOTARY_RETIREMENT)) {
                throw new CliException(NotarySignatureSource.dockerHubNotaryRetired("--notary-server"));
            }
            // Same window as the webhook's admission warning.
            NotarySignatureSource.dockerHubNotaryRetiring(
                            clock.instant(),
                            settingsOptions.load(main.env(), Map.of()).expiryWarning(),
                            "--notary-server")
                    .ifPresent(w -> err.println("WARNING: " + w));
        }
        List<String> pins = new ArrayList<>();
        for (String k : rootKeys) {
            pins.add(readPin(k));
        }
        // The webhook's upstream settings (TRUSTGATE_UPSTREAM_*, TRUSTGATE_CA_BUNDLE, TRUSTGATE_CERTS_DIR).
        TransportOptions options = settingsOptions.load(main.env(), Map.of()).transport();
        try (Transport transport = Transport.open();
                VertxTrustDataFetcher fetcher =
                        new VertxTrustDataFetcher(transport.vertx(), options, clock, url, null)) {
            boolean firstUse = pins.isEmpty();
            RootPins rootPins;
            if (firstUse) {
                // Trust on first use: pin whatever root keys the server serves. Anyone who controls the server
                // or the path to it chooses them, which is why this command is informational only.
                RootMetadata served = RootMetadata.parse(
                        fetcher.fetch(gun, SignedMetadata.TYPE_ROOT, Limits.DEFAULT.maxMetadataBytes())
                                .get());
                rootPins = RootPins.of(List.copyOf(served.rootKeyIds()));
                err.println("WARNING: no --root-key given: trusting the root keys " + served.rootKeyIds() + " that "
                        + url + " serves for " + gun + " on first use.");
                err.println("WARNING: whoever controls that server or the network to it could have chosen them; "
                        + "pin the root with --root-key before relying on what follows.");
            } else {
                rootPins = RootPins.of(pins);
            }
            TrustedRepository repository = new NotaryClient(fetcher, clock, Limits.DEFAULT)
                    .update(gun, rootPins)
                    .get();
            print(repository, url, firstUse, rootPins, onlyTag, clock, json, out);
            if (onlyTag != null && repository.targetsForTag(onlyTag).isEmpty()) {
                err.println("trustgate: no valid role of " + gun + " signs the tag " + onlyTag);
                return Main.DENIED;
            }
            return Main.OK;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof TrustDataException) {
                err.println("trustgate: cannot establish trust in " + gun + ": " + Main.oneLine(cause));
                return Main.DENIED;
            }
            if (cause instanceof NotaryFetchException) {
                throw new CliException("cannot fetch trust data of " + gun + ": " + Main.oneLine(cause), cause);
            }
            throw e;
        } catch (TrustDataException e) {
            err.println("trustgate: cannot establish trust in " + gun + ": " + Main.oneLine(e));
            return Main.DENIED;
        }
    }

    /** Whether the reference as typed names a tag (a {@code :} after the last {@code /}, and no digest). */
    private static boolean explicitTag(String raw) {
        return !raw.contains("@") && raw.substring(raw.lastIndexOf('/') + 1).contains(":");
    }

    private static String readPin(String value) {
        String pin = value;
        if (!HEX_KEY_ID.matcher(value).matches()) {
            try {
                pin = Files.readString(Path.of(value));
            } catch (NoSuchFileException e) {
                throw new CliException("--root-key " + value + " is neither a 64-digit hex key id nor a readable file");
            } catch (IOException e) {
                throw new CliException("cannot read --root-key " + value + ": " + Main.oneLine(e), e);
            }
        }
        try {
            KeyPin.parse(pin);
        } catch (InvalidPinException e) {
            throw new CliException("--root-key " + value + ": " + Main.oneLine(e), e);
        }
        return pin;
    }

    /** One signed tag as one role lists it. */
    private record Row(String tag, String digest, long length, String role, List<String> keys) {}

    private void print(
            TrustedRepository repository,
            String url,
            boolean firstUse,
            RootPins pins,
            String onlyTag,
            Clock clock,
            ObjectNode o,
            PrintWriter out) {
        List<Row> rows = new ArrayList<>();
        for (TrustedTargets role : repository.roles()) {
            List<String> keys = role.signingKeys().stream().map(TufKey::keyId).toList();
            for (Map.Entry<String, TargetFile> t : new TreeMap<>(role.targets()).entrySet()) {
                if (onlyTag != null && !onlyTag.equals(t.getKey())) {
                    continue;
                }
                rows.add(new Row(
                        t.getKey(),
                        t.getValue().digest().orElse("(no sha256)"),
                        t.getValue().length(),
                        role.role(),
                        keys));
            }
        }
        rows.sort(java.util.Comparator.comparing(Row::tag).thenComparing(Row::role));
        if (output == Output.json) {
            o.put("repository", repository.gun());
            o.put("server", url);
            o.put("trustOnFirstUse", firstUse);
            ArrayNode rootPins = o.putArray("rootPins");
            pins.describe().forEach(rootPins::add);
            ArrayNode signed = o.putArray("signedTags");
            for (Row r : rows) {
                ObjectNode s = signed.addObject();
                s.put("tag", r.tag())
                        .put("digest", r.digest())
                        .put("length", r.length())
                        .put("role", r.role());
                ArrayNode keys = s.putArray("keys");
                r.keys().forEach(keys::add);
            }
            ArrayNode roles = o.putArray("roles");
            for (TrustedTargets role : repository.roles()) {
                ObjectNode n = roles.addObject();
                n.put("role", role.role())
                        .put("version", role.version())
                        .put("expires", role.expires().toString());
                ArrayNode keys = n.putArray("keys");
                role.signingKeys().forEach(k -> keys.add(k.keyId()));
            }
            ArrayNode expiries = o.putArray("expiries");
            for (RoleExpiry e : repository.expiries()) {
                expiries.addObject()
                        .put("role", e.role())
                        .put("expires", e.expires().toString());
            }
            return;
        }
        out.println("Signatures for " + repository.gun() + " (Notary " + url + ")");
        out.println(
                firstUse
                        ? "Root: TRUSTED ON FIRST USE, NOT PINNED (" + String.join(", ", pins.describe()) + ")"
                        : "Root: pinned to " + String.join(", ", pins.describe()));
        out.println();
        if (rows.isEmpty()) {
            out.println(onlyTag != null ? "No valid role signs the tag " + onlyTag + "." : "No signed tags.");
        } else {
            table(
                    out,
                    List.of("SIGNED TAG", "DIGEST", "ROLE", "SIGNING KEYS"),
                    rows.stream()
                            .map(r -> List.of(r.tag(), r.digest(), r.role(), String.join(", ", r.keys())))
                            .toList());
        }
        out.println();
        List<List<String>> roleRows = new ArrayList<>();
        for (RoleExpiry e : repository.expiries()) {
            String keys = repository
                    .role(e.role())
                    .map(r -> String.join(
                            ", ", r.signingKeys().stream().map(TufKey::keyId).toList()))
                    .orElse("");
            roleRows.add(List.of(
                    e.role(),
                    e.expires()
                            .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                            .toString(),
                    inDays(Duration.between(clock.instant(), e.expires())),
                    keys));
        }
        table(out, List.of("ROLE", "EXPIRES", "", "SIGNING KEYS"), roleRows);
    }

    private static String inDays(Duration left) {
        long days = left.toDays();
        return left.isNegative() ? "(expired)" : days == 0 ? "(expires within a day)" : "(in " + days + " days)";
    }

    static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> r : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < width.length; i++) {
                line.append(i == width.length - 1 ? r.get(i) : String.format("%-" + width[i] + "s   ", r.get(i)));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
