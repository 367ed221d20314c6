package io.trustgate.policy;

import java.util.Arrays;

/**
 * A compiled {@code *} / {@code **} / {@code ?} glob whose matching cost is linear in the name.
 *
 * <p>{@code *} matches any run of characters other than {@code /}, {@code **} any run at all, {@code ?} one
 * character other than {@code /}; every other character matches itself, and the whole name must match. The
 * glob is a chain of states (one per token); matching keeps the set of states reachable after each character
 * of the name, so it never backtracks: at most (name length + 1) x (tokens + 1) steps, whatever the glob. A
 * regular expression with nested {@code .*} runs could backtrack exponentially on the Vert.x event loop.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class GlobMatcher {

    private static final byte LITERAL = 0;
    /** {@code ?}: one character other than {@code /}. */
    private static final byte ONE = 1;
    /** {@code *}: any run of characters other than {@code /}. */
    private static final byte STAR = 2;
    /** {@code **}: any run of characters. */
    private static final byte DOUBLE_STAR = 3;

    private final String glob;
    private final byte[] kinds;
    private final char[] literals;

    private GlobMatcher(String glob, byte[] kinds, char[] literals) {
        this.glob = glob;
        this.kinds = kinds;
        this.literals = literals;
    }

    public static GlobMatcher compile(String glob) {
        byte[] kinds = new byte[glob.length()];
        char[] literals = new char[glob.length()];
        int n = 0;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                kinds[n] = DOUBLE_STAR;
                i++;
            } else if (c == '*') {
                kinds[n] = STAR;
            } else if (c == '?') {
                kinds[n] = ONE;
            } else {
                kinds[n] = LITERAL;
                literals[n] = c;
            }
            n++;
        }
        return new GlobMatcher(glob, Arrays.copyOf(kinds, n), Arrays.copyOf(literals, n));
    }

    /** Whether the whole of {@code name} matches the glob. */
    public boolean matches(CharSequence name) {
        int states = kinds.length + 1; // state i: the first i tokens are matched; the last state accepts
        boolean[] current = new boolean[states];
        boolean[] next = new boolean[states];
        current[0] = true;
        closeOverEmptyRuns(current);
        for (int j = 0; j < name.length(); j++) {
            char c = name.charAt(j);
            boolean any = false;
            Arrays.fill(next, false);
            for (int i = 0; i < kinds.length; i++) {
                if (!current[i]) {
                    continue;
                }
                switch (kinds[i]) {
                    case LITERAL -> next[i + 1] |= literals[i] == c;
                    case ONE -> next[i + 1] |= c != '/';
                    case STAR -> next[i] |= c != '/';
                    default -> next[i] = true; // DOUBLE_STAR
                }
            }
            closeOverEmptyRuns(next);
            for (boolean reachable : next) {
                any |= reachable;
            }
            if (!any) {
                return false;
            }
            boolean[] swap = current;
            current = next;
            next = swap;
        }
        return current[kinds.length];
    }

    /** A {@code *} or {@code **} may match nothing: a state before one reaches the state after it. */
    private void closeOverEmptyRuns(boolean[] states) {
        for (int i = 0; i < kinds.length; i++) {
            if (states[i] && (kinds[i] == STAR || kinds[i] == DOUBLE_STAR)) {
                states[i + 1] = true;
            }
        }
    }

    @Override
    public String toString() {
        return glob;
    }
}
