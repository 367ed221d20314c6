package io.trustgate.tuf;

/** An update needed more root rotations, delegations, signatures or keys than {@link Limits} allows. */
public final class LimitExceededException extends TrustDataException {
    private final String limit;
    private final long maximum;

    public LimitExceededException(String role, String limit, long maximum) {
        super(role, "more than " + maximum + " " + limit + " while loading " + role);
        this.limit = limit;
        this.maximum = maximum;
    }

    /**
     * Which limit: {@code root rotations}, {@code delegations}, {@code signatures}, {@code keys in the file}
     * or {@code keys for role <name>}.
     */
    public String limit() {
        return limit;
    }

    public long maximum() {
        return maximum;
    }
}
