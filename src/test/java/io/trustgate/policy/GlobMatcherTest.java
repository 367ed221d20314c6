package io.trustgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustgate.image.ImageReference;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The linear-time glob matcher against a plain recursive reference, and the pattern that used to backtrack. */
public class GlobMatcherTest {

    /**
     * The reference: the definition of the glob, written as directly as possible (exponential, so only for
     * the short patterns and names the properties generate).
     */
    public static boolean reference(String glob, int g, String name, int n) {
        if (g == glob.length()) {
            return n == name.length();
        }
        if (glob.startsWith("**", g)) {
            for (int k = n; k <= name.length(); k++) {
                if (reference(glob, g + 2, name, k)) {
                    return true;
                }
            }
            return false;
        }
        char c = glob.charAt(g);
        if (c == '*') {
            for (int k = n; k <= name.length(); k++) {
                if (reference(glob, g + 1, name, k)) {
                    return true;
                }
                if (k < name.length() && name.charAt(k) == '/') {
                    return false;
                }
            }
            return false;
        }
        if (n == name.length()) {
            return false;
        }
        char d = name.charAt(n);
        boolean one = c == '?' ? d != '/' : d == c;
        return one && reference(glob, g + 1, name, n + 1);
    }

    private static final String[] GLOB_TOKENS = {"a", "b", "/", "*", "**", "?", "."};
    private static final String NAME_CHARS = "ab/.";

    /** Every sequence of up to {@code length} tokens from {@code tokens}, joined. */
    private static List<String> all(String[] tokens, int length) {
        List<String> out = new ArrayList<>(List.of(""));
        List<String> last = List.of("");
        for (int i = 0; i < length; i++) {
            List<String> longer = new ArrayList<>();
            for (String prefix : last) {
                for (String t : tokens) {
                    longer.add(prefix + t);
                }
            }
            out.addAll(longer);
            last = longer;
        }
        return out;
    }

    @Test
    @DisplayName(
            "the matcher agrees with the reference on every glob of up to 3 tokens and every name of up to 5 characters")
    void agreesWithReferenceExhaustively() {
        List<String> names = all(NAME_CHARS.split(""), 5);
        for (String glob : all(GLOB_TOKENS, 3)) {
            GlobMatcher matcher = GlobMatcher.compile(glob);
            for (String name : names) {
                if (matcher.matches(name) != reference(glob, 0, name, 0)) {
                    assertThat(matcher.matches(name)).as("%s vs %s", glob, name).isEqualTo(reference(glob, 0, name, 0));
                }
            }
        }
    }

    @Test
    @DisplayName(
            "the matcher agrees with the reference on 20000 random globs of up to 8 tokens and names of up to 14 characters")
    void agreesWithReferenceOnRandomCases() {
        long seed = Long.getLong("tg.glob.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder glob = new StringBuilder();
            for (int t = random.nextInt(9); t > 0; t--) {
                glob.append(GLOB_TOKENS[random.nextInt(GLOB_TOKENS.length)]);
            }
            StringBuilder name = new StringBuilder();
            for (int c = random.nextInt(15); c > 0; c--) {
                name.append(NAME_CHARS.charAt(random.nextInt(NAME_CHARS.length())));
            }
            String g = glob.toString();
            String n = name.toString();
            assertThat(GlobMatcher.compile(g).matches(n))
                    .as("%s vs %s (-Dtg.glob.seed=%d)", g, n, seed)
                    .isEqualTo(reference(g, 0, n, 0));
            assertThat(memoised(g, n))
                    .as("the memoised reference, %s vs %s", g, n)
                    .isEqualTo(reference(g, 0, n, 0));
            // A name made by filling the glob's wildcards always matches.
            String filled = g.replace("**", "\u0000")
                    .replace("*", n.replace("/", ""))
                    .replace("?", "a")
                    .replace("\u0000", n);
            assertThat(GlobMatcher.compile(g).matches(filled))
                    .as("%s vs %s (-Dtg.glob.seed=%d)", g, filled, seed)
                    .isTrue();
        }
    }

    /** The reference, memoised on (glob position, name position): the same definition, fast enough for long inputs. */
    private static boolean memoised(String glob, String name) {
        Boolean[][] memo = new Boolean[glob.length() + 1][name.length() + 1];
        return memoised(glob, 0, name, 0, memo);
    }

    private static boolean memoised(String glob, int g, String name, int n, Boolean[][] memo) {
        if (memo[g][n] != null) {
            return memo[g][n];
        }
        boolean result;
        if (g == glob.length()) {
            result = n == name.length();
        } else if (glob.startsWith("**", g)) {
            result =
                    memoised(glob, g + 2, name, n, memo) || (n < name.length() && memoised(glob, g, name, n + 1, memo));
        } else if (glob.charAt(g) == '*') {
            result = memoised(glob, g + 1, name, n, memo)
                    || (n < name.length() && name.charAt(n) != '/' && memoised(glob, g, name, n + 1, memo));
        } else if (n == name.length()) {
            result = false;
        } else {
            char c = glob.charAt(g);
            char d = name.charAt(n);
            result = (c == '?' ? d != '/' : d == c) && memoised(glob, g + 1, name, n + 1, memo);
        }
        memo[g][n] = result;
        return result;
    }

    @Test
    @DisplayName("the matcher agrees with the reference on 3000 random globs of 60 to 400 tokens (state sets over"
            + " several 64-bit words) and names of up to 300 characters, non-ASCII characters included")
    void agreesWithReferenceOnLongGlobs() {
        long seed = Long.getLong("tg.glob.seed", System.nanoTime());
        Random random = new Random(seed);
        String[] tokens = {"a", "a", "a", "b", "/", "*", "**", "?", "é", "***"};
        String nameChars = "aaab/é";
        for (int i = 0; i < 3_000; i++) {
            StringBuilder glob = new StringBuilder();
            for (int t = 60 + random.nextInt(341); t > 0; t--) {
                glob.append(tokens[random.nextInt(tokens.length)]);
            }
            String g = glob.toString();
            StringBuilder name = new StringBuilder();
            if (random.nextBoolean()) {
                // a name the glob matches, so that the accepting state is reached across word boundaries
                name.append(g.replace("**", "\u0000")
                        .replace("*", "a".repeat(random.nextInt(3)))
                        .replace("?", "b")
                        .replace("\u0000", "a/".repeat(random.nextInt(2))));
                if (random.nextInt(4) == 0 && name.length() > 0) {
                    name.setCharAt(random.nextInt(name.length()), nameChars.charAt(random.nextInt(nameChars.length())));
                }
            } else {
                for (int c = random.nextInt(301); c > 0; c--) {
                    name.append(nameChars.charAt(random.nextInt(nameChars.length())));
                }
            }
            String n = name.toString();
            assertThat(GlobMatcher.compile(g).matches(n))
                    .as("%s vs %s (-Dtg.glob.seed=%d)", g, n, seed)
                    .isEqualTo(memoised(g, n));
        }
    }

    @Test
    @DisplayName(
            "registry/**a**a**a**a**b against a 200-character repository is answered at once (it backtracked for 24 s)")
    void pathologicalPattern() throws Exception {
        ImagePattern pattern = ImagePattern.compile("registry.example/**a**a**a**a**a**a**a**a**b");
        ImageReference image = ImageReference.parse("registry.example/" + "a".repeat(200));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = threads.getCurrentThreadCpuTime();

        // A hang guard, not a measurement: the regex took 24 s with four "**a" and multiplies per "**a".
        boolean matched = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> pattern.matches(image));

        System.out.printf(
                "pathological pattern vs 200-character repository: %.3f ms CPU%n",
                (threads.getCurrentThreadCpuTime() - cpu) / 1e6);
        assertThat(matched).isFalse();
        assertThat(ImagePattern.compile("registry.example/**a**a**a**a**b")
                        .matches(ImageReference.parse("registry.example/" + "a".repeat(199) + "b")))
                .isTrue();
    }

    @Test
    @DisplayName(
            "the longest pattern at the length bound is matched against the longest name; one character more is refused")
    void patternLengthBound() throws Exception {
        String stars = "registry.example/" + "**a".repeat((ImagePattern.MAX_PATTERN_LENGTH - 17) / 3 - 1);
        String longest = stars + "b".repeat(ImagePattern.MAX_PATTERN_LENGTH - stars.length());
        ImagePattern pattern = ImagePattern.compile(longest);
        ImageReference image = ImageReference.parse("registry.example/" + "a".repeat(255 - 17));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = threads.getCurrentThreadCpuTime();
        boolean matched = pattern.matches(image);
        System.out.printf(
                "pattern of %d characters vs %d-character repository: %.3f ms CPU%n",
                longest.length(), image.repository().length(), (threads.getCurrentThreadCpuTime() - cpu) / 1e6);

        assertThat(matched).isFalse();
        assertThatThrownBy(() -> ImagePattern.compile(longest + "b"))
                .isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining("longer than " + ImagePattern.MAX_PATTERN_LENGTH + " characters");
    }
}
