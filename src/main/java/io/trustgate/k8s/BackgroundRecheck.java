package io.trustgate.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.trustgate.policy.PolicySet;
import io.trustgate.recheck.PolicyReports;
import io.trustgate.recheck.Recheck;
import io.trustgate.recheck.RecheckResult;
import io.trustgate.recheck.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The background recheck of cluster mode: one replica at a time (the holder of a {@code coordination.k8s.io}
 * Lease, through Fabric8's leader election) watches the running Pods and rechecks them with {@link Recheck}
 * when the policies or keys change (a new {@link PolicySet} is published), when trust data behind a verdict
 * expires, and every {@code interval}; then it writes one PolicyReport per namespace and an Event on each Pod
 * (and its controller) whose image stopped verifying. It runs on its own threads, never on an I/O thread, and
 * admission never waits for it. It deletes nothing.
 */
public final class BackgroundRecheck implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BackgroundRecheck.class);
    /** How often the loop looks whether a recheck is due (a policy change is seen within this). */
    static final Duration TICK = Duration.ofSeconds(1);
    /** A policy change is rechecked after this quiet time, so a burst of edits costs one recheck. */
    static final Duration DEBOUNCE = Duration.ofSeconds(2);
    /** Leader election timings (client-go's defaults). */
    static final Duration LEASE_DURATION = Duration.ofSeconds(15);

    static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);
    static final Duration RETRY_PERIOD = Duration.ofSeconds(2);

    /**
     * How the recheck runs.
     *
     * @param namespace trustgate's namespace, where the Lease lives
     * @param lease the Lease's name
     * @param identity this replica's name in the Lease
     * @param interval the longest time between two rechecks
     * @param reports whether PolicyReports and Events are written
     */
    public record Settings(String namespace, String lease, String identity, Duration interval, boolean reports) {}

    /** Writes a TrustException's {@code status.pods}; false when it could not (gone, or refused). */
    @FunctionalInterface
    public interface ExceptionPods {
        boolean set(String namespace, String name, int pods);
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final Recheck recheck;
    private final Supplier<PolicySet> policies;
    private final ClusterEvents events;
    private final Consumer<Recheck.Scan> listener;
    private final Consumer<Boolean> leading;
    private final ExceptionPods exceptionPods;
    private final Clock clock;
    private final ExecutorService loop = Executors.newSingleThreadExecutor(r -> thread(r, "trustgate-recheck"));
    private volatile CompletableFuture<?> election;
    private volatile Future<?> running;
    private volatile boolean reportsMissing;
    private volatile boolean closed;
    /** The verdict of each result at the previous recheck: where it turns to fail, an Event is due. */
    private Map<String, Verdict> previous = Map.of();

    private Set<String> reportedNamespaces = new HashSet<>();
    /** The {@code status.pods} this replica last wrote per TrustException, so only changes are written. */
    private Map<Recheck.ExceptionRef, Integer> writtenPods = Map.of();

    /**
     * @param listener hears every finished recheck (metrics)
     * @param leading hears when this replica starts ({@code true}) and stops ({@code false}) leading
     * @param exceptionPods writes each TrustException's count of running Pods that rely on it
     */
    public BackgroundRecheck(
            KubernetesClient client,
            Settings settings,
            Recheck recheck,
            Supplier<PolicySet> policies,
            ClusterEvents events,
            Consumer<Recheck.Scan> listener,
            Consumer<Boolean> leading,
            ExceptionPods exceptionPods,
            Clock clock) {
        this.client = client;
        this.settings = settings;
        this.recheck = recheck;
        this.policies = policies;
        this.events = events;
        this.listener = listener;
        this.leading = leading;
        this.exceptionPods = exceptionPods;
        this.clock = clock;
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Joins the election; returns at once. An election ends when this replica loses the Lease (a renewal failed)
     * or cannot reach the API server; it is joined again then, until {@link #close()}.
     */
    public void start() {
        if (closed) {
            return;
        }
        LeaderElector le = client.leaderElector()
                .withConfig(new LeaderElectionConfigBuilder()
                        .withName(settings.lease())
                        .withLock(new LeaseLock(settings.namespace(), settings.lease(), settings.identity()))
                        .withLeaseDuration(LEASE_DURATION)
                        .withRenewDeadline(RENEW_DEADLINE)
                        .withRetryPeriod(RETRY_PERIOD)
                        .withReleaseOnCancel(true)
                        .withLeaderCallbacks(new LeaderCallbacks(this::startLeading, this::stopLeading, leader -> {
                            LOG.debugf("recheck leader is %s", leader);
                        }))
                        .build())
                .build();
        CompletableFuture<?> e = le.start();
        election = e;
        // The continuation only re-joins the election; its own result carries nothing to read.
        CompletableFuture<?> unused = e.whenComplete((ok, error) -> {
            if (!closed) {
                LOG.debugf("recheck election ended (%s); joining again", error == null ? "lost" : error.getMessage());
                CompletableFuture.delayedExecutor(RETRY_PERIOD.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                        .execute(this::start);
            }
        });
    }

    private synchronized void startLeading() {
        LOG.infof("%s holds the Lease %s: it rechecks running Pods", settings.identity(), settings.lease());
        leading.accept(true);
        writtenPods = Map.of(); // a new leader writes every count once: the last leader's may be stale
        running = loop.submit(this::run);
    }

    private synchronized void stopLeading() {
        LOG.infof("%s no longer holds the Lease %s", settings.identity(), settings.lease());
        leading.accept(false);
        Future<?> r = running;
        if (r != null) {
            r.cancel(true);
        }
    }

    private void run() {
        try (RunningPods pods = new RunningPods(client).start()) {
            PolicySet checked = null;
            Instant due = clock.instant();
            Instant changedAt = null;
            while (!Thread.currentThread().isInterrupted()) {
                Instant now = clock.instant();
                PolicySet current = policies.get();
                if (checked != null && !current.equals(checked) && changedAt == null) {
                    changedAt = now;
                }
                boolean policyChanged = changedAt != null && !now.isBefore(changedAt.plus(DEBOUNCE));
                if (checked == null || policyChanged || !now.isBefore(due)) {
                    // Owners are looked up afresh each recheck (bounded, cached within it): a rollout's new
                    // ReplicaSet is reported under its Deployment at once.
                    Recheck.Scan scan = recheck.scan(new Owners(client).topLevel(pods.snapshot()));
                    checked = scan.policySet();
                    changedAt = null;
                    Instant next = scan.at().plus(settings.interval());
                    if (scan.earliestExpiry() != null && scan.earliestExpiry().isBefore(next)) {
                        next = scan.earliestExpiry().plus(TICK); // trust data expired: judge it again at once
                    }
                    due = next;
                    publish(scan);
                }
                Thread.sleep(TICK.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "the background recheck stopped; it starts again when this replica next leads");
        }
    }

    private void publish(Recheck.Scan scan) {
        Map<String, Verdict> now = new HashMap<>();
        for (RecheckResult r : scan.results()) {
            now.put(r.key(), r.verdict());
            Verdict before = previous.get(r.key());
            boolean stopped = r.verdict() == Verdict.fail || r.verdict() == Verdict.warn;
            if (settings.reports() && stopped && before != r.verdict() && before != Verdict.skip) {
                eventsFor(r);
            }
        }
        previous = now;
        long failing =
                scan.results().stream().filter(r -> r.verdict() == Verdict.fail).count();
        LOG.infof(
                "recheck: %d running pods, %d distinct image checks, %d results, %d fail",
                scan.pods(), scan.checks(), scan.results().size(), failing);
        listener.accept(scan);
        if (settings.reports()) {
            writeReports(scan);
        }
        writeExceptionPods(scan);
    }

    /**
     * Sets {@code status.pods} of every TrustException of the checked policy set (0 for one no running Pod relies
     * on, an expired one included) where it changed since this replica last wrote it.
     */
    private void writeExceptionPods(Recheck.Scan scan) {
        Map<Recheck.ExceptionRef, Integer> counts = new HashMap<>();
        for (io.trustgate.policy.Exemption e : scan.policySet().exceptions().all()) {
            counts.put(new Recheck.ExceptionRef(e.namespace(), e.name()), 0);
        }
        counts.putAll(scan.exemptedPods());
        Map<Recheck.ExceptionRef, Integer> written = new HashMap<>();
        counts.forEach((ref, n) -> {
            if (n.equals(writtenPods.get(ref)) || exceptionPods.set(ref.namespace(), ref.name(), n)) {
                written.put(ref, n);
            }
        });
        writtenPods = written;
    }

    private void eventsFor(RecheckResult r) {
        String message = "running image " + r.image() + " no longer verifies: " + r.message();
        for (String pod : r.pods()) {
            events.warning(ClusterEvents.about("v1", "Pod", r.namespace(), pod, null), "ImageNotVerified", message);
        }
        if (!r.workload().kind().equals("Pod")) {
            events.warning(
                    ClusterEvents.about(
                            r.workload().apiVersion(),
                            r.workload().kind(),
                            r.namespace(),
                            r.workload().name(),
                            r.workload().uid()),
                    "ImageNotVerified",
                    message);
        }
    }

    private void writeReports(Recheck.Scan scan) {
        Map<String, ObjectNode> reports = PolicyReports.build(scan);
        Set<String> written = new HashSet<>();
        for (Map.Entry<String, ObjectNode> e : reports.entrySet()) {
            if (apply(e.getValue())) {
                written.add(e.getKey());
            }
        }
        // A namespace where nothing governed runs any more keeps an empty report rather than a stale one.
        for (String ns : reportedNamespaces) {
            if (!reports.containsKey(ns) && apply(PolicyReports.empty(ns))) {
                written.add(ns);
            }
        }
        reportedNamespaces = written;
    }

    private boolean apply(ObjectNode report) {
        String ns = report.path("metadata").path("namespace").asText();
        try {
            GenericKubernetesResource resource =
                    client.getKubernetesSerialization().convertValue(report, GenericKubernetesResource.class);
            client.genericKubernetesResources(PolicyReports.API_VERSION, PolicyReports.KIND)
                    .inNamespace(ns)
                    .resource(resource)
                    .fieldManager("trustgate")
                    .forceConflicts()
                    .serverSideApply();
            reportsMissing = false;
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404 && !reportsMissing) {
                reportsMissing = true;
                LOG.warnf(
                        "cannot write PolicyReports: the %s CRD is not installed (chart value reports.installCrds)",
                        PolicyReports.API_VERSION);
            } else if (e.getCode() != 404) {
                LOG.warnf("cannot write the PolicyReport of namespace %s: HTTP %d", ns, e.getCode());
            }
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        CompletableFuture<?> e = election;
        if (e != null) {
            e.cancel(true); // releases the Lease (releaseOnCancel), so another replica takes over at once
        }
        stopLeading();
        loop.shutdownNow();
    }
}
