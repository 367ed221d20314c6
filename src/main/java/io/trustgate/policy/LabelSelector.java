package io.trustgate.policy;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Kubernetes label selector (matchLabels and matchExpressions), evaluated against namespace labels.
 * An empty selector matches every namespace.
 */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {

    public static final LabelSelector EVERYTHING = new LabelSelector(Map.of(), List.of());

    /** One {@code matchExpressions} entry. */
    public record Requirement(String key, Operator operator, Set<String> values) {}

    /** The operators Kubernetes defines for set-based requirements. */
    public enum Operator {
        In,
        NotIn,
        Exists,
        DoesNotExist
    }

    public LabelSelector {
        matchLabels = Map.copyOf(matchLabels);
        matchExpressions = List.copyOf(matchExpressions);
    }

    public static Operator operator(String name) throws InvalidPolicyException {
        for (Operator op : Operator.values()) {
            if (op.name().equals(name)) {
                return op;
            }
        }
        throw new InvalidPolicyException(
                "unknown label selector operator \"" + name + "\" (use In, NotIn, Exists or DoesNotExist)");
    }

    public boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (Requirement r : matchExpressions) {
            String value = labels.get(r.key());
            boolean ok = switch (r.operator()) {
                case In -> value != null && r.values().contains(value);
                case NotIn -> value == null || !r.values().contains(value);
                case Exists -> value != null;
                case DoesNotExist -> value == null;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public boolean isEmpty() {
        return matchLabels.isEmpty() && matchExpressions.isEmpty();
    }
}
