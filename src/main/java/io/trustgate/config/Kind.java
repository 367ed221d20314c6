package io.trustgate.config;

import io.trustgate.admission.AdmissionHandler;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a setting's value must look like, and how its text becomes a typed value. Each kind says what it
 * expects, so that a bad value is reported in one line with the variable, the value and the expectation.
 */
public enum Kind {

    /** Any text. */
    TEXT("text") {
        @Override
        Object parse(String text) {
            return text;
        }
    },
    /** A duration of zero or more: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}, or ISO-8601. */
    DURATION("a duration such as 500ms, 30s, 5m, 1h or 7d (0s or more)") {
        @Override
        Object parse(String text) {
            return duration(text);
        }
    },
    /** A duration above zero. */
    POSITIVE_DURATION("a duration above zero such as 500ms, 8s, 5m or 1h") {
        @Override
        Object parse(String text) {
            Duration d = duration(text);
            if (d.isZero()) {
                throw new IllegalArgumentException("zero");
            }
            return d;
        }
    },
    /** A whole number of zero or more. */
    COUNT("a whole number, 0 or more") {
        @Override
        Object parse(String text) {
            return count(text, 0);
        }
    },
    /** A whole number above zero. */
    POSITIVE_COUNT("a whole number above zero") {
        @Override
        Object parse(String text) {
            return count(text, 1);
        }
    },
    /** What to do with images no policy governs. */
    UNMATCHED("deny or allow") {
        @Override
        Object parse(String text) {
            return AdmissionHandler.Unmatched.valueOf(text.toLowerCase(Locale.ROOT));
        }
    },
    /** {@code true} or {@code false}. */
    BOOLEAN("true or false") {
        @Override
        Object parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException("not true or false");
            };
        }
    },
    /** Which objects /mutate pins to their verified digests. */
    PIN("pods, all or off") {
        @Override
        Object parse(String text) {
            return AdmissionHandler.Pin.valueOf(text.toLowerCase(Locale.ROOT));
        }
    },
    /** Comma-separated {@code host[:port]} entries. */
    HOST_LIST("a comma-separated list of host:port") {
        @Override
        Object parse(String text) {
            List<String> hosts = Arrays.stream(text.split(","))
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .toList();
            for (String h : hosts) {
                if (!HOST.matcher(h).matches()) {
                    throw new IllegalArgumentException("\"" + h + "\" is not host:port");
                }
            }
            return hosts;
        }
    },
    /** Comma-separated http(s) URL prefixes. */
    URL_PREFIX_LIST("a comma-separated list of http:// or https:// URL prefixes") {
        @Override
        Object parse(String text) {
            List<String> prefixes = Arrays.stream(text.split(",", -1))
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .toList();
            for (String p : prefixes) {
                String lower = p.toLowerCase(Locale.ROOT);
                if (!(lower.startsWith("https://") || lower.startsWith("http://"))
                        || (lower.indexOf('/', 8) < 0 && lower.length() <= "https://".length())) {
                    throw new IllegalArgumentException("\"" + p + "\" is not an http(s) URL prefix");
                }
            }
            return prefixes;
        }
    },
    /** A PEM file of CA certificates (parsed when the whole configuration is built). */
    CA_FILE("a readable PEM file of CA certificates") {
        @Override
        Object parse(String text) {
            Path p = path(text);
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                throw new IllegalArgumentException("no such readable file");
            }
            return p;
        }
    },
    /** A directory of {@code <host[:port]>/*.crt} (parsed when the whole configuration is built). */
    CERTS_DIR("a directory of host[:port]/*.crt PEM files") {
        @Override
        Object parse(String text) {
            Path p = path(text);
            if (!Files.isDirectory(p)) {
                throw new IllegalArgumentException("no such directory");
            }
            return p;
        }
    };

    private static final Pattern UNIT = Pattern.compile("([0-9]{1,12})(ms|s|m|h|d)");
    private static final Pattern HOST =
            Pattern.compile("[A-Za-z0-9._-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+](:[0-9]{1,5})?");

    private final String expected;

    Kind(String expected) {
        this.expected = expected;
    }

    /** What a value must look like, for messages and docs. */
    public String expected() {
        return expected;
    }

    /**
     * The typed value of {@code text} (never blank).
     *
     * @throws IllegalArgumentException when it is not one; the message may add why
     */
    abstract Object parse(String text);

    private static Duration duration(String text) {
        Matcher m = UNIT.matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        if (text.matches("[0-9]{1,12}")) {
            return Duration.ofSeconds(Long.parseLong(text)); // a bare number is seconds, as SmallRye Config reads it
        }
        if (text.startsWith("P") || text.startsWith("p")) {
            try {
                Duration d = Duration.parse(text);
                if (d.isNegative()) {
                    throw new IllegalArgumentException("negative");
                }
                return d;
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not a duration", e);
            }
        }
        throw new IllegalArgumentException(text.startsWith("-") ? "negative" : "not a duration");
    }

    private static long count(String text, long min) {
        long n;
        try {
            n = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a whole number", e);
        }
        if (n < min) {
            throw new IllegalArgumentException("below " + min);
        }
        return n;
    }

    private static Path path(String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a path", e);
        }
    }
}
