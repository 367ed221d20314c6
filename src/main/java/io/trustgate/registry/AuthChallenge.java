package io.trustgate.registry;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code WWW-Authenticate} challenge (RFC 7235), e.g.
 * {@code Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"}.
 *
 * @param scheme lower-case auth scheme: {@code bearer}, {@code basic}, ...
 * @param params parameters with lower-case names and unquoted values
 */
public record AuthChallenge(String scheme, Map<String, String> params) {

    /** Longest header value parsed; a longer one is treated as malformed (real challenges are a few hundred). */
    public static final int MAX_HEADER_CHARS = 4096;

    public AuthChallenge {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /**
     * Parses the first challenge of a header value in one pass (no regular expression); empty when the header
     * is blank, malformed or longer than {@link #MAX_HEADER_CHARS}.
     */
    public static Optional<AuthChallenge> parse(String header) {
        if (header == null || header.length() > MAX_HEADER_CHARS) {
            return Optional.empty();
        }
        String s = header.strip();
        int i = 0;
        while (i < s.length() && isTokenChar(s.charAt(i))) {
            i++;
        }
        if (i == 0) {
            return Optional.empty();
        }
        String scheme = s.substring(0, i).toLowerCase(Locale.ROOT);
        Map<String, String> params = new LinkedHashMap<>();
        while (i < s.length()) {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == ',' || s.charAt(i) == '\t')) {
                i++;
            }
            int nameStart = i;
            while (i < s.length() && isTokenChar(s.charAt(i))) {
                i++;
            }
            if (i == nameStart) {
                break;
            }
            String name = s.substring(nameStart, i).toLowerCase(Locale.ROOT);
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            if (i >= s.length() || s.charAt(i) != '=') {
                break; // a token68 or a second challenge: the first challenge ends here
            }
            i++;
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < s.length() && s.charAt(i) == '"') {
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                        i++;
                    }
                    value.append(s.charAt(i++));
                }
                if (i >= s.length()) {
                    return Optional.empty(); // unterminated quoted string
                }
                i++;
            } else {
                while (i < s.length() && s.charAt(i) != ',' && s.charAt(i) != ' ') {
                    value.append(s.charAt(i++));
                }
            }
            params.putIfAbsent(name, value.toString());
        }
        return Optional.of(new AuthChallenge(scheme, params));
    }

    public boolean isBearer() {
        return scheme.equals("bearer");
    }

    public boolean isBasic() {
        return scheme.equals("basic");
    }

    public Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name.toLowerCase(Locale.ROOT)));
    }

    private static boolean isTokenChar(char c) {
        return c > ' ' && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }
}
