package io.trustgate.policy;

/** The {@code signedIdentity} rule names a policy accepts (containers/image semantics). */
public final class SignedIdentityRule {
    public static final String DEFAULT = "matchRepoDigestOrExact";
    private static final java.util.List<String> NAMES =
            java.util.List.of("matchRepoDigestOrExact", "matchRepository", "matchExact");

    private SignedIdentityRule() {}

    public static String check(String name) throws InvalidPolicyException {
        if (name == null || name.isEmpty()) {
            return DEFAULT;
        }
        if (!NAMES.contains(name)) {
            throw new InvalidPolicyException("unknown signedIdentity \"" + name + "\" (use one of " + NAMES + ")");
        }
        return name;
    }
}
