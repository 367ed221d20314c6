package io.trustgate.verify;

import com.github.benmanes.caffeine.cache.Cache;
import io.trustgate.cache.Caffeines;
import io.trustgate.image.ImageReference;
import io.trustgate.notary.NotaryClient;
import io.trustgate.notary.NotaryEvidence;
import io.trustgate.notary.NotarySignatures;
import io.trustgate.notary.NotarySignatures.PinnedSigner;
import io.trustgate.notary.NotarySigner;
import io.trustgate.notary.RejectedRole;
import io.trustgate.notary.RoleExpiry;
import io.trustgate.notary.SignedTarget;
import io.trustgate.notary.TrustDataFetchException;
import io.trustgate.notary.TrustDataFetcher;
import io.trustgate.notary.TrustDataNotFoundException;
import io.trustgate.notary.TrustedRepository;
import io.trustgate.notary.TrustedVersions;
import io.trustgate.notary.VersionStore;
import io.trustgate.policy.InvalidPolicyException;
import io.trustgate.policy.NotaryConfig;
import io.trustgate.policy.Policy;
import io.trustgate.policy.Signer;
import io.trustgate.tuf.InvalidPinException;
import io.trustgate.tuf.KeyPin;
import io.trustgate.tuf.Limits;
import io.trustgate.tuf.RootPins;
import io.trustgate.tuf.SignedMetadata;
import io.trustgate.tuf.TrustDataException;
import io.trustgate.tuf.TrustedTargets;
import io.trustgate.tuf.TufKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * Notary v1 / Docker Content Trust as a {@link SignatureSource}: updates the image repository's trust data
 * (the full TUF client workflow of {@link NotaryClient}, anchored at the policy's {@code notary.rootKeys}) and
 * counts the policy signers whose keys sign the resolved digest in a valid role.
 *
 * <p>The transport stays outside the core: a {@code Function<NotaryConfig, TrustDataFetcher>} makes one
 * fetcher per Notary server and CA bundle (in the webhook, {@code VertxTrustDataFetcher.factory(...)}). One
 * {@link NotaryClient} is kept per (server, CA bundle), and the highest metadata versions seen are shared by
 * every client of the same server, so a server cannot roll trust data back between two reviews.
 *
 * <p>{@link #collect} never completes exceptionally: a failure to establish trust, an unsigned tag or a
 * digest mismatch becomes a one-line problem a developer can act on.
 */
public final class NotarySignatureSource implements SignatureSource, AutoCloseable {

    /** Docker Hub's Notary server, used for {@code docker.io} images when the policy names no server. */
    public static final String DOCKER_HUB_NOTARY = "https://notary.docker.io";

    /** Host name of Docker Hub's Notary, whatever scheme, port or path a policy spells it with. */
    public static final String DOCKER_HUB_NOTARY_HOST = "notary.docker.io";

    /**
     * When Docker Hub's Notary shut down with Docker Content Trust: from this instant a policy that relies on it
     * is answered with {@link #dockerHubNotaryRetired(String)} and no request is made, so admission cannot stall
     * on a server that is gone.
     */
    public static final Instant DOCKER_HUB_NOTARY_RETIREMENT = Instant.parse("2026-12-08T00:00:00Z");

    /** Where a user reads what to do about the retirement. */
    public static final String MIGRATION_DOC = "docs/migrating-from-dct.md";

    private final Function<NotaryConfig, TrustDataFetcher> fetchers;
    private final Clock clock;
    private final Limits limits;
    private final Duration expiryWarning;
    private final Map<ClientKey, Client> clients = new ConcurrentHashMap<>();
    private final VersionStore versions;
    private volatile java.util.function.Consumer<TrustedRepository> observer = repository -> {};

    private record ClientKey(String server, String caBundle) {}

    /** What a policy's Notary keys are, as written: the key of {@link #policyKeys}. */
    private record KeysKey(List<String> rootKeys, List<NotarySigner> signers) {}

    /**
     * A policy's Notary keys, parsed: the pinned root keys (or why they do not parse) and the signers with their
     * keys (a key that does not parse left out with a problem).
     */
    private record PolicyKeys(RootPins pins, String pinProblem, List<PinnedSigner> signers, List<String> problems) {}

    /** Policy versions' keys this many at most are kept parsed; a policy beyond them is parsed again. */
    static final int MAX_PARSED_POLICIES = 1024;

    /**
     * Parsed policy keys, keyed by the key text itself (so an edit of a policy or its Secret is a new entry and
     * nothing is ever served for other keys): PEM and certificate parsing once per policy version, not per
     * review.
     */
    private final Cache<KeysKey, PolicyKeys> policyKeys =
            Caffeines.newBuilder().maximumSize(MAX_PARSED_POLICIES).build();

    private record Client(TrustDataFetcher fetcher, NotaryClient notary) {}

    /**
     * @param fetchers      makes the fetcher for one Notary server ({@code server} resolved, {@code caBundle} as
     *                      the policy gives it); called once per (server, CA bundle)
     * @param clock         the reference time of every update and of the expiry warnings
     * @param limits        size and count bounds of the TUF client
     * @param expiryWarning trust data expiring within this window adds a warning
     */
    public NotarySignatureSource(
            Function<NotaryConfig, TrustDataFetcher> fetchers, Clock clock, Limits limits, Duration expiryWarning) {
        this(fetchers, clock, limits, expiryWarning, VersionStore.inMemory());
    }

    /**
     * @param versions where the highest trusted versions per server and repository are kept (rollback
     *                 protection); persistent stores keep it across restarts and replicas
     */
    public NotarySignatureSource(
            Function<NotaryConfig, TrustDataFetcher> fetchers,
            Clock clock,
            Limits limits,
            Duration expiryWarning,
            VersionStore versions) {
        this.versions = Objects.requireNonNull(versions, "versions");
        this.fetchers = Objects.requireNonNull(fetchers, "fetchers");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.expiryWarning = Objects.requireNonNull(expiryWarning, "expiryWarning");
        if (expiryWarning.isNegative()) {
            throw new IllegalArgumentException("expiryWarning must not be negative: " + expiryWarning);
        }
    }

    /** With {@link Limits#DEFAULT}. */
    public NotarySignatureSource(
            Function<NotaryConfig, TrustDataFetcher> fetchers, Clock clock, Duration expiryWarning) {
        this(fetchers, clock, Limits.DEFAULT, expiryWarning);
    }

    @Override
    public String describe(Policy policy) {
        return "Notary "
                + (policy.notary() != null && policy.notary().server() != null
                        ? policy.notary().server()
                        : DOCKER_HUB_NOTARY);
    }

    /**
     * Checks one Notary key of a policy (a signer key or a pinned root key) at load time: a PEM public key,
     * a PEM certificate or a 64-digit hex key id.
     *
     * @throws InvalidPolicyException with the reason, naming the key abbreviated
     */
    public static void checkKey(String key) throws InvalidPolicyException {
        try {
            KeyPin.parse(key);
        } catch (InvalidPinException e) {
            throw new InvalidPolicyException("notary: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean appliesTo(Policy policy) {
        return policy.notary() != null
                && policy.signers().stream().anyMatch(s -> !s.notaryKeys().isEmpty());
    }

    @Override
    public CompletableFuture<SourceFindings> collect(ImageReference image, String digest, Policy policy) {
        try {
            return collectChecked(image, digest, policy);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(
                    SourceFindings.problem("notary: cannot check " + image.repository() + ": " + message(e)));
        }
    }

    private CompletableFuture<SourceFindings> collectChecked(ImageReference image, String digest, Policy policy) {
        NotaryConfig config = policy.notary();
        String gun = image.repository();
        String server = server(config, image);
        if (server == null) {
            return done(SourceFindings.problem(
                    "notary: the policy names no Notary server for " + image.domain() + " (set notary.server)"));
        }
        Instant now = clock.instant();
        if (isDockerHubNotary(server) && !now.isBefore(DOCKER_HUB_NOTARY_RETIREMENT)) {
            return done(SourceFindings.problem("notary: " + dockerHubNotaryRetired("notary.server")));
        }
        List<String> retirementWarning = isDockerHubNotary(server)
                ? dockerHubNotaryRetiring(now, expiryWarning, "notary.server")
                        .map(w -> List.of("notary: " + w))
                        .orElse(List.of())
                : List.of();
        PolicyKeys keys = policyKeys(policy);
        if (keys.pins() == null) {
            return done(SourceFindings.problem("notary: notary.rootKeys of the policy: " + keys.pinProblem()));
        }
        RootPins pins = keys.pins();
        List<String> problems = keys.problems();
        List<PinnedSigner> signers = keys.signers();
        Client client = client(server, config.caBundle());
        return client.notary().update(gun, pins).handle((repository, error) -> {
            if (error != null) {
                Throwable cause = unwrap(error);
                List<String> all = new ArrayList<>(problems);
                all.add(trustFailure(gun, server, cause));
                // Unreachable, timed out or 5xx: says nothing about the signatures (failure TTL, stale-if-error
                // on the same digest); anything else is a verification problem.
                boolean unavailable = cause instanceof TrustDataFetchException f && f.unavailable();
                return new SourceFindings(List.of(), all, retirementWarning, null, unavailable);
            }
            SourceFindings f = findings(repository, image, digest, signers, problems);
            if (!isDockerHubNotary(server)) {
                return f;
            }
            List<String> warnings = new ArrayList<>(retirementWarning);
            warnings.addAll(f.warnings());
            // A verdict (and its stale-if-error copy) must not outlive the server: from the retirement on, the
            // next review gets the denial naming it instead of a verdict cached the day before.
            Instant expires = f.expiresAt() == null || f.expiresAt().isAfter(DOCKER_HUB_NOTARY_RETIREMENT)
                    ? DOCKER_HUB_NOTARY_RETIREMENT
                    : f.expiresAt();
            return new SourceFindings(f.found(), f.problems(), warnings, expires, f.unavailable());
        });
    }

    /** Whether {@code server} is Docker Hub's Notary (any scheme, port or path; host compared ignoring case). */
    public static boolean isDockerHubNotary(String server) {
        if (server == null) {
            return false;
        }
        String s = server.strip();
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            s = s.substring(scheme + 3);
        }
        int end = s.length();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/' || c == ':' || c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        String host = s.substring(0, end);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return host.equalsIgnoreCase(DOCKER_HUB_NOTARY_HOST);
    }

    /**
     * Whether a policy's Notary settings rely on Docker Hub's Notary: its server is unset (the default for
     * docker.io images) or names notary.docker.io, and a signer has Notary keys.
     */
    public static boolean reliesOnDockerHubNotary(Policy policy) {
        NotaryConfig config = policy.notary();
        return config != null
                && (config.server() == null || config.server().isBlank() || isDockerHubNotary(config.server()))
                && policy.signers().stream().anyMatch(s -> !s.notaryKeys().isEmpty());
    }

    /**
     * What a policy's Ready message adds when its Notary settings rely on Docker Hub's Notary ({@code ""} when
     * they do not). The policy stays Ready either way: after the retirement each image it governs there is
     * denied with {@link #dockerHubNotaryRetired}, under the policy's mode (Enforce, Warn or Audit).
     */
    public static String dockerHubNotaryNote(Policy policy, Instant now) {
        if (!reliesOnDockerHubNotary(policy)) {
            return "";
        }
        return now.isBefore(DOCKER_HUB_NOTARY_RETIREMENT)
                ? "; warning: notary settings rely on Docker Hub's Notary (" + DOCKER_HUB_NOTARY_HOST + ") for"
                        + " docker.io images, which is retired on 2026-12-08; see " + MIGRATION_DOC
                : "; warning: " + dockerHubNotaryRetired("notary.server")
                        + " (the images that relied on it are denied under the policy's mode)";
    }

    /**
     * The answer once Docker Hub's Notary is retired.
     *
     * @param serverSetting how the user names another server here ({@code notary.server}, {@code --notary-server})
     */
    public static String dockerHubNotaryRetired(String serverSetting) {
        return "Docker Hub's Notary (" + DOCKER_HUB_NOTARY_HOST + ") was retired on 2026-12-08 with Docker Content"
                + " Trust; sign with cosign or Notation, or point " + serverSetting + " at a Notary you run; see "
                + MIGRATION_DOC;
    }

    /**
     * The warning while the retirement is ahead but within {@code window} of {@code now}; empty before that
     * and from the retirement on.
     */
    public static Optional<String> dockerHubNotaryRetiring(Instant now, Duration window, String serverSetting) {
        if (!now.isBefore(DOCKER_HUB_NOTARY_RETIREMENT) || !DOCKER_HUB_NOTARY_RETIREMENT.isBefore(now.plus(window))) {
            return Optional.empty();
        }
        return Optional.of("Docker Hub's Notary (" + DOCKER_HUB_NOTARY_HOST + ") is retired on 2026-12-08"
                + " with Docker Content Trust (in " + untilRetirement(now) + "); images whose signatures are only"
                + " there will then be denied: sign with cosign or Notation, or point " + serverSetting
                + " at a Notary you run; see " + MIGRATION_DOC);
    }

    private static String untilRetirement(Instant now) {
        long hours = Duration.between(now, DOCKER_HUB_NOTARY_RETIREMENT).toHours();
        return hours >= 48 ? hours / 24 + " days" : hours + " hours";
    }

    /** The Notary server of the policy for the image, or {@code null} when it names none and none is implied. */
    private static String server(NotaryConfig config, ImageReference image) {
        return config.server() != null && !config.server().isBlank()
                ? withoutTrailingSlash(config.server())
                : image.domain().equals(ImageReference.DOCKER_HUB) ? DOCKER_HUB_NOTARY : null;
    }

    @Override
    public void forget(ImageReference image, String digest, Policy policy) {
        if (policy.notary() == null) {
            return;
        }
        String server = server(policy.notary(), image);
        String caBundle = policy.notary().caBundle();
        Client known = server == null
                ? null
                : clients.get(new ClientKey(server, caBundle == null || caBundle.isBlank() ? null : caBundle));
        if (known != null) {
            known.fetcher().forget(image.repository());
            known.notary().forget(image.repository());
        }
    }

    /**
     * Starts the update of a repository never verified here yet, while the registry resolves the tag (the
     * Notary root, its successor and the timestamp overlap the tag's HEAD); {@link #collect} then shares it. A
     * policy whose settings {@link #collect} would refuse starts nothing.
     */
    @Override
    public void prefetch(ImageReference image, Policy policy) {
        NotaryConfig config = policy.notary();
        if (config == null || !appliesTo(policy)) {
            return;
        }
        String server = server(config, image);
        if (server == null || isDockerHubNotary(server)) {
            return; // Docker Hub's Notary is retiring: collect decides whether to ask it at all
        }
        PolicyKeys keys = policyKeys(policy);
        if (keys.pins() != null) {
            client(server, config.caBundle()).notary().prefetch(image.repository(), keys.pins());
        }
    }

    /** The policy's Notary keys, parsed once per distinct set of keys. */
    private PolicyKeys policyKeys(Policy policy) {
        List<NotarySigner> written = new ArrayList<>();
        for (Signer signer : policy.signers()) {
            if (!signer.notaryKeys().isEmpty()) {
                written.add(new NotarySigner(signer.name(), signer.notaryKeys(), signer.roles()));
            }
        }
        return policyKeys.get(
                new KeysKey(List.copyOf(policy.notary().rootKeys()), written), NotarySignatureSource::parseKeys);
    }

    /** Parses a policy's keys; a signer key that does not parse is left out with a problem. */
    private static PolicyKeys parseKeys(KeysKey written) {
        RootPins pins = null;
        String pinProblem = null;
        try {
            pins = RootPins.of(written.rootKeys());
        } catch (InvalidPinException e) {
            pinProblem = e.getMessage();
        }
        List<String> problems = new ArrayList<>();
        List<PinnedSigner> out = new ArrayList<>();
        for (NotarySigner signer : written.signers()) {
            List<String> keys = new ArrayList<>();
            List<KeyPin> parsed = new ArrayList<>();
            for (String key : signer.keys()) {
                try {
                    parsed.add(KeyPin.parse(key));
                    keys.add(key);
                } catch (InvalidPinException e) {
                    problems.add("notary: signer " + signer.name() + ": " + e.getMessage());
                }
            }
            if (!keys.isEmpty()) {
                out.add(new PinnedSigner(new NotarySigner(signer.name(), keys, signer.roles()), parsed));
            }
        }
        return new PolicyKeys(pins, pinProblem, List.copyOf(out), List.copyOf(problems));
    }

    /** Hears every verified repository (e.g. to export each role's expiry as a metric). */
    public NotarySignatureSource observe(java.util.function.Consumer<TrustedRepository> onVerified) {
        this.observer = Objects.requireNonNull(onVerified, "onVerified");
        return this;
    }

    private SourceFindings findings(
            TrustedRepository repository,
            ImageReference image,
            String digest,
            List<PinnedSigner> signers,
            List<String> problems) {
        observer.accept(repository);
        String gun = repository.gun();
        String tag = image.tag(); // null for a digest-only reference: every signed target counts
        NotaryEvidence evidence = NotarySignatures.evaluatePinned(repository, tag, digest, signers);

        List<SignerEvidence> found = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (NotaryEvidence.SignerMatch m : evidence.signatures()) {
            if (seen.add(m.signer() + "|" + m.role())) {
                found.add(new SignerEvidence(m.signer(), "notary " + m.role(), m.keyId()));
            }
        }
        List<String> all = new ArrayList<>(problems);
        for (RejectedRole r : repository.rejectedRoles()) {
            all.add("notary: " + r.role() + " of " + gun + " was left out (" + r.reason() + "); signatures made only"
                    + " there do not count (publish it again: notary publish " + gun + ")");
        }
        for (NotaryEvidence.DigestMismatch m : evidence.mismatches()) {
            all.add("notary: " + m.role() + " signs " + gun + ":" + m.tag() + " as " + m.signedDigest()
                    + ", but the registry serves " + m.resolvedDigest() + " (the tag moved after signing;"
                    + " sign the new digest or deploy the signed one)");
        }
        List<SignedTarget> candidates =
                tag != null ? repository.targetsForTag(tag) : repository.targetsForDigest(evidence.resolvedDigest());
        if (candidates.isEmpty()) {
            all.add(
                    tag != null
                            ? "notary: tag " + tag + " is not signed in any role of " + gun
                            : "notary: digest " + evidence.resolvedDigest() + " is not signed in any role of " + gun);
        }
        if (found.isEmpty()) {
            unmatchedSignatures(repository, evidence, candidates, signers, all);
        }
        return new SourceFindings(found, all, warnings(repository), repository.earliestExpiry());
    }

    /** Roles that sign the right digest, but with no key of a signer that may count there: say whose keys. */
    private static void unmatchedSignatures(
            TrustedRepository repository,
            NotaryEvidence evidence,
            List<SignedTarget> candidates,
            List<PinnedSigner> signers,
            List<String> problems) {
        Set<String> roles = new LinkedHashSet<>();
        for (SignedTarget t : candidates) {
            if (t.digest().equals(evidence.resolvedDigest())) {
                roles.add(t.role());
            }
        }
        for (String roleName : roles) {
            TrustedTargets role = repository.role(roleName).orElseThrow();
            List<String> excluded = new ArrayList<>();
            for (PinnedSigner pinned : signers) {
                NotarySigner signer = pinned.signer();
                boolean holdsKey = pinned.keyIn(role.signingKeys()).isPresent();
                if (holdsKey && !signer.roles().contains(roleName)) {
                    excluded.add("signer " + signer.name() + " holds its key but counts only in " + signer.roles());
                }
            }
            String keys = role.signingKeys().stream()
                    .map(TufKey::keyId)
                    .map(id -> id.substring(0, 12))
                    .distinct()
                    .toList()
                    .toString();
            problems.add("notary: " + roleName + " signs " + evidence.resolvedDigest() + " with key " + keys + ", "
                    + (excluded.isEmpty() ? "which no signer of the policy holds" : String.join("; ", excluded)));
        }
    }

    /**
     * "Expires soon" warnings for the roles a person must renew: root, the root certificate, targets, the
     * delegations and the snapshot (which the repository's owner signs unless its key was handed to the server).
     * Never the timestamp: notary-server re-signs it itself (a 14-day lifetime, renewed when it lapses), so a
     * warning on it would fire on half of all admissions and ask nobody to do anything.
     */
    private List<String> warnings(TrustedRepository repository) {
        Instant horizon = repository.referenceTime().plus(expiryWarning);
        List<String> warnings = new ArrayList<>();
        for (RoleExpiry e : repository.expiries()) {
            if (!renewedByServer(e.role()) && e.expires().isBefore(horizon)) {
                warnings.add("notary: trust data of " + repository.gun() + " expires soon: " + e.role() + " expires "
                        + e.expires().truncatedTo(ChronoUnit.SECONDS) + " (" + renewHint(repository.gun(), e.role())
                        + ")");
            }
        }
        return warnings;
    }

    /** The roles Notary's server keeps signed itself, whose expiry no person acts on. */
    public static boolean renewedByServer(String role) {
        return SignedMetadata.TYPE_TIMESTAMP.equals(role);
    }

    private static String renewHint(String gun, String role) {
        return switch (role) {
            case RoleExpiry.ROOT_CERTIFICATE, SignedMetadata.TYPE_ROOT ->
                "rotate the root key: notary key rotate " + gun + " root, then pin the new key";
            default -> "publish again to re-sign it: notary publish " + gun;
        };
    }

    private static String trustFailure(String gun, String server, Throwable error) {
        if (error instanceof TrustDataNotFoundException nf && SignedMetadata.TYPE_ROOT.equals(nf.role())) {
            return "notary: " + server + " has no trust data for " + gun
                    + " (the repository was never signed with Notary / Docker Content Trust)";
        }
        if (error instanceof TrustDataException t) {
            return "notary: trust data of " + gun + " from " + server + " rejected"
                    + (t.role() != null ? " (" + t.role() + ")" : "") + ": " + message(t);
        }
        return "notary: trust data of " + gun + " unavailable: " + message(error);
    }

    private Client client(String server, String caBundle) {
        String bundle = caBundle == null || caBundle.isBlank() ? null : caBundle;
        return clients.computeIfAbsent(new ClientKey(server, bundle), key -> {
            TrustDataFetcher fetcher = fetchers.apply(new NotaryConfig(server, bundle, List.of()));
            return new Client(fetcher, new NotaryClient(fetcher, clock, limits, new TrustedVersions(versions, server)));
        });
    }

    /** One spelling per server, so that {@code https://n.example/} and {@code https://n.example} share a client. */
    private static String withoutTrailingSlash(String server) {
        String s = server.strip();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    private static CompletableFuture<SourceFindings> done(SourceFindings findings) {
        return CompletableFuture.completedFuture(findings);
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String message(Throwable t) {
        String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        return m.replace('\n', ' ').replace('\r', ' ');
    }

    /** Closes the fetchers made so far (those that are {@link AutoCloseable}). */
    @Override
    public void close() {
        for (Client c : clients.values()) {
            if (c.fetcher() instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    // closing is best effort: a fetcher that fails to close holds nothing we can still release
                }
            }
        }
        clients.clear();
    }
}
