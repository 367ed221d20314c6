package io.trustgate.policy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A compiled {@code *} / {@code **} / {@code ?} glob whose matching cost is linear in the name.
 *
 * <p>{@code *} matches any run of characters other than {@code /}, {@code **} any run at all, {@code ?} one
 * character other than {@code /}; every other character matches itself, and the whole name must match. The
 * glob is a chain of states (one per token); matching keeps the set of states reachable after each character
 * of the name, so it never backtracks: at most (name length + 1) x (tokens + 1) state steps, whatever the glob.
 * A regular expression with nested {@code .*} runs could backtrack exponentially on the Vert.x event loop.
 *
 * <p>The set of states is a bit set, stepped 64 states at a time (the shift-and method): per character of the
 * name a few word operations for each 64 tokens, with the masks of each literal character computed once here.
 * The longest pattern a policy may hold ({@link ImagePattern#MAX_PATTERN_LENGTH}, 512 characters) has at most
 * 512 tokens, so 9 words. Runs of wildcards are merged when compiling ({@code *}{@code **} is {@code **}), so
 * one shift closes the set over wildcards that match nothing.
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
    /** Tokens, and so the accepting state's index. */
    private final int tokens;

    private final int words;
    /** Per ASCII character: the literal tokens equal to it (bit i: token i moves state i to i + 1). */
    private final long[][] ascii;
    /** The same for the other characters the glob holds. */
    private final Map<Character, long[]> other;
    /** {@code ?} tokens. */
    private final long[] one;
    /** {@code *} tokens: state i stays on a character other than {@code /}. */
    private final long[] star;
    /** {@code **} tokens: state i stays on any character. */
    private final long[] doubleStar;
    /** {@code *} and {@code **} tokens: state i also reaches state i + 1 on no character. */
    private final long[] wildcard;

    /**
     * The shapes most policies use, answered without the state machine (same result, a plain string compare): a
     * glob of literals only, or literals then one trailing {@code *} or {@code **} ({@code registry/team/**}).
     */
    private final Shape shape;

    /** The literal part of a {@link Shape#EXACT} or trailing-wildcard glob. */
    private final String prefix;

    private enum Shape {
        EXACT,
        PREFIX_THEN_SEGMENT,
        PREFIX_THEN_ANY,
        GENERAL
    }

    private GlobMatcher(String glob, byte[] kinds, char[] literals) {
        this.glob = glob;
        this.tokens = kinds.length;
        this.words = (tokens + 1 + 63) / 64;
        this.ascii = new long[128][];
        this.other = new HashMap<>();
        this.one = new long[words];
        this.star = new long[words];
        this.doubleStar = new long[words];
        this.wildcard = new long[words];
        for (int i = 0; i < tokens; i++) {
            long bit = 1L << i;
            int w = i >>> 6;
            switch (kinds[i]) {
                case LITERAL -> {
                    char c = literals[i];
                    long[] mask = c < 128 ? ascii[c] : other.get(c);
                    if (mask == null) {
                        mask = new long[words];
                        if (c < 128) {
                            ascii[c] = mask;
                        } else {
                            other.put(c, mask);
                        }
                    }
                    mask[w] |= bit;
                }
                case ONE -> one[w] |= bit;
                case STAR -> {
                    star[w] |= bit;
                    wildcard[w] |= bit;
                }
                default -> {
                    doubleStar[w] |= bit;
                    wildcard[w] |= bit;
                }
            }
        }
        int literalRun = 0;
        while (literalRun < tokens && kinds[literalRun] == LITERAL) {
            literalRun++;
        }
        this.prefix = new String(literals, 0, literalRun);
        if (literalRun == tokens) {
            this.shape = Shape.EXACT;
        } else if (literalRun == tokens - 1 && kinds[literalRun] == STAR) {
            this.shape = Shape.PREFIX_THEN_SEGMENT;
        } else if (literalRun == tokens - 1 && kinds[literalRun] == DOUBLE_STAR) {
            this.shape = Shape.PREFIX_THEN_ANY;
        } else {
            this.shape = Shape.GENERAL;
        }
    }

    public static GlobMatcher compile(String glob) {
        byte[] kinds = new byte[glob.length()];
        char[] literals = new char[glob.length()];
        int n = 0;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            byte kind;
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                kind = DOUBLE_STAR;
                i++;
            } else if (c == '*') {
                kind = STAR;
            } else if (c == '?') {
                kind = ONE;
            } else {
                kind = LITERAL;
                literals[n] = c;
            }
            if (isWildcard(kind) && n > 0 && isWildcard(kinds[n - 1])) {
                // Two wildcards in a row match what the wider one matches: merged, no two wildcard tokens are
                // adjacent, which the one-shift closure in matches() relies on.
                kinds[n - 1] = (byte) Math.max(kinds[n - 1], kind);
                continue;
            }
            kinds[n] = kind;
            n++;
        }
        return new GlobMatcher(glob, Arrays.copyOf(kinds, n), Arrays.copyOf(literals, n));
    }

    private static boolean isWildcard(byte kind) {
        return kind == STAR || kind == DOUBLE_STAR;
    }

    /** Whether the whole of {@code name} matches the glob. */
    public boolean matches(CharSequence name) {
        return switch (shape) {
            case EXACT -> name.length() == prefix.length() && startsWithPrefix(name);
            case PREFIX_THEN_ANY -> startsWithPrefix(name);
            case PREFIX_THEN_SEGMENT -> startsWithPrefix(name) && noSlashAfterPrefix(name);
            case GENERAL -> matchesGeneral(name);
        };
    }

    private boolean noSlashAfterPrefix(CharSequence name) {
        for (int j = prefix.length(); j < name.length(); j++) {
            if (name.charAt(j) == '/') {
                return false;
            }
        }
        return true;
    }

    private boolean startsWithPrefix(CharSequence name) {
        if (name.length() < prefix.length()) {
            return false;
        }
        for (int j = 0; j < prefix.length(); j++) {
            if (name.charAt(j) != prefix.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    private boolean matchesGeneral(CharSequence name) {
        long[] current = new long[words];
        long[] next = new long[words];
        current[0] = 1L; // state 0: nothing matched yet
        closeOverEmptyRuns(current);
        for (int j = 0; j < name.length(); j++) {
            char c = name.charAt(j);
            long[] literal = c < 128 ? ascii[c] : other.get(c);
            boolean slash = c == '/';
            long any = 0;
            long carry = 0; // the top bit of the previous word's advancing states, shifted into this word
            for (int w = 0; w < words; w++) {
                long states = current[w];
                long advance = states & ((literal == null ? 0 : literal[w]) | (slash ? 0 : one[w]));
                long stay = states & (doubleStar[w] | (slash ? 0 : star[w]));
                long reached = (advance << 1) | carry | stay;
                carry = advance >>> 63;
                next[w] = reached;
                any |= reached;
            }
            if (any == 0) {
                return false;
            }
            closeOverEmptyRuns(next);
            long[] swap = current;
            current = next;
            next = swap;
        }
        return (current[tokens >>> 6] & (1L << tokens)) != 0;
    }

    /**
     * A {@code *} or {@code **} may match nothing: a state before one reaches the state after it. One shift is
     * enough, as no two wildcard tokens are adjacent.
     */
    private void closeOverEmptyRuns(long[] states) {
        long carry = 0;
        for (int w = 0; w < words; w++) {
            long skipping = states[w] & wildcard[w];
            states[w] |= (skipping << 1) | carry;
            carry = skipping >>> 63;
        }
    }

    @Override
    public String toString() {
        return glob;
    }
}
