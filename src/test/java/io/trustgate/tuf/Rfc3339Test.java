package io.trustgate.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Rfc3339Test {

    /** The subset of what OffsetDateTime.parse accepts that the strict parser must accept too. */
    private static final Pattern STRICT_SHAPE =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");

    @Test
    @DisplayName("the expires of real notary-server metadata parse to the instant OffsetDateTime gives")
    void realExpires() {
        for (String s : new String[] {
            "2036-11-27T10:12:34.123456789Z",
            "2026-12-15T04:36:50.5Z",
            "2030-01-01T00:00:00Z",
            "2029-06-30T17:00:00-08:00",
            "2000-02-29T23:59:59+18:00",
            "0000-01-01T00:00:00z",
            "9999-12-31t23:59:59.999999999-18:00"
        }) {
            assertThat(Rfc3339.parse(s)).as(s).isEqualTo(OffsetDateTime.parse(s).toInstant());
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "2030-01-01T00:00Z", // no seconds (OffsetDateTime accepts it; TUF never writes it)
                "2030-01-01T00:00:00+01:00:30", // offset seconds (likewise)
                "2030-01-01 00:00:00Z",
                "2030-01-01T00:00:00",
                "2030-01-01T00:00:00.Z",
                "2030-01-01T00:00:00.1234567890Z",
                "2030-02-29T00:00:00Z",
                "1900-02-29T00:00:00Z",
                "2030-13-01T00:00:00Z",
                "2030-00-10T00:00:00Z",
                "2030-04-31T00:00:00Z",
                "2030-01-01T24:00:00Z",
                "2030-01-01T23:60:00Z",
                "2030-01-01T23:59:60Z",
                "2030-01-01T00:00:00+18:01",
                "2030-01-01T00:00:00+19:00",
                "2030-01-01T00:00:00+01:60",
                "2030-01-01T00:00:00+0100",
                "+2030-01-01T00:00:00Z",
                "２０３０-01-01T00:00:00Z",
                "2030-01-01T00:00:00Zjunk",
                "2030-01-01T00:00:00.000000000000000000000000000000000000000000Z"
            })
    @DisplayName("a time outside the strict form, or naming no date, is rejected with the text")
    void rejects(String text) {
        assertThatThrownBy(() -> Rfc3339.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an RFC 3339 time");
    }

    @Test
    @DisplayName("null is rejected, and an overlong input is cut in the message")
    void nullAndLong() {
        assertThatThrownBy(() -> Rfc3339.parse(null)).isInstanceOf(IllegalArgumentException.class);
        String longText = "2030-01-01T00:00:00Z".repeat(1000);
        assertThatThrownBy(() -> Rfc3339.parse(longText))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .hasSizeLessThan(200);
    }

    @Test
    @DisplayName("on 200,000 seeded random valid and mutated times it agrees with OffsetDateTime.parse")
    void agreesWithOffsetDateTime() {
        Random random = new Random(20261201L);
        int accepted = 0;
        int rejected = 0;
        for (int n = 0; n < 200_000; n++) {
            String s = mutate(random, valid(random));
            Instant ours;
            try {
                ours = Rfc3339.parse(s);
            } catch (IllegalArgumentException e) {
                ours = null;
            }
            Instant reference;
            try {
                reference = OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException e) {
                reference = null;
            }
            if (ours != null) {
                accepted++;
                assertThat(reference).as("OffsetDateTime on %s", s).isEqualTo(ours);
            } else {
                rejected++;
                if (STRICT_SHAPE.matcher(s).matches()) {
                    assertThat(reference)
                            .as("OffsetDateTime on %s, which the strict parser rejects", s)
                            .isNull();
                }
            }
        }
        // Both sides of the comparison are exercised.
        assertThat(accepted).isGreaterThan(20_000);
        assertThat(rejected).isGreaterThan(20_000);
    }

    private static String valid(Random r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%04d-%02d-%02d", r.nextInt(10_000), 1 + r.nextInt(12), 1 + r.nextInt(31)));
        b.append(r.nextInt(10) == 0 ? 't' : 'T');
        b.append(String.format("%02d:%02d:%02d", r.nextInt(24), r.nextInt(60), r.nextInt(60)));
        if (r.nextBoolean()) {
            b.append('.');
            int digits = 1 + r.nextInt(9);
            for (int i = 0; i < digits; i++) {
                b.append((char) ('0' + r.nextInt(10)));
            }
        }
        switch (r.nextInt(4)) {
            case 0 -> b.append('Z');
            case 1 -> b.append('z');
            default ->
                b.append(r.nextBoolean() ? '+' : '-').append(String.format("%02d:%02d", r.nextInt(19), r.nextInt(60)));
        }
        return b.toString();
    }

    /** Half unchanged; the other half with one to three characters replaced, inserted or deleted. */
    private static String mutate(Random r, String s) {
        if (r.nextBoolean()) {
            return s;
        }
        String alphabet = "0123456789-:.+TZtz 9x";
        StringBuilder b = new StringBuilder(s);
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits && b.length() > 0; e++) {
            int at = r.nextInt(b.length());
            char c = alphabet.charAt(r.nextInt(alphabet.length()));
            switch (r.nextInt(3)) {
                case 0 -> b.setCharAt(at, c);
                case 1 -> b.insert(at, c);
                default -> b.deleteCharAt(at);
            }
        }
        return b.toString();
    }
}
