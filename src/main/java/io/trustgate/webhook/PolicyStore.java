package io.trustgate.webhook;

import io.trustgate.policy.PolicySet;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicReference;

/** The current policy snapshot, swapped whole by whichever source feeds it; ready once first loaded. */
@ApplicationScoped
public class PolicyStore {

    private final AtomicReference<PolicySet> current = new AtomicReference<>(PolicySet.EMPTY);
    private volatile boolean loaded;
    private volatile String lastError;

    public PolicySet get() {
        return current.get();
    }

    public void set(PolicySet policies) {
        current.set(policies);
        loaded = true;
        lastError = null;
    }

    /** A source that could not be read at all keeps the last good snapshot and reports why. */
    public void failed(String error) {
        lastError = error;
    }

    public boolean loaded() {
        return loaded;
    }

    public String lastError() {
        return lastError;
    }
}
