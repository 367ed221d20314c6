package io.trustgate.k8s;

import io.trustgate.admission.NamespaceLabels;
import java.time.Duration;

/**
 * Where policies come from: the cluster ({@link ClusterPolicySource}) or a directory
 * ({@link DirectoryPolicySource}). A source publishes whole {@code PolicySet}s to the sink it was made with,
 * and answers, from the same place, namespace labels and the Secrets and ServiceAccounts pull credentials
 * are read from. Those answers may come from any thread; implementations keep what they read in immutable
 * snapshots behind volatile references.
 */
public interface PolicySource
        extends NamespaceLabels, SecretPullCredentials.Secrets, SecretPullCredentials.ServiceAccounts, AutoCloseable {

    /** Publishes the first policy set and begins watching; may block (informer sync); throws if it cannot. */
    void start();

    /** Re-reads what no event announces (a changed directory, a rotated Secret outside trustgate's namespace). */
    void refresh();

    /** How often {@link #refresh()} should run. */
    Duration refreshInterval();

    @Override
    void close();
}
