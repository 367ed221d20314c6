package io.trustgate.tuf;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A strict parser of the RFC 3339 times TUF metadata carries in {@code expires}:
 * {@code YYYY-MM-DDTHH:MM:SS[.fraction]} followed by {@code Z} or {@code ±HH:MM}, {@code T} and {@code Z} in
 * either case (RFC 3339 5.6), 1 to 9 fraction digits. It replaces {@code OffsetDateTime.parse}, whose
 * general formatter machinery was 5% of a cold Notary update's verification CPU: one pass over at most
 * {@value #MAX_LENGTH} characters, no regular expression, no exception on the accepting path.
 *
 * <p>Stricter than {@code OffsetDateTime.parse} on purpose: seconds are required, offsets have no seconds
 * part, the year has exactly four digits. Every time it accepts, {@code OffsetDateTime.parse} accepts as the
 * same instant ({@code Rfc3339Test} holds the two side by side on seeded random input).
 */
public final class Rfc3339 {

    /** The longest accepted time: {@code 2006-01-02T15:04:05.999999999+07:00}. */
    public static final int MAX_LENGTH = 35;

    /** The largest offset from UTC, as {@code java.time.ZoneOffset} allows. */
    private static final int MAX_OFFSET_HOURS = 18;

    private Rfc3339() {}

    /**
     * The instant {@code text} names.
     *
     * @throws IllegalArgumentException when {@code text} is not a time of the form above, or names no date
     *     (February 30th), or is longer than {@value #MAX_LENGTH} characters
     */
    public static Instant parse(String text) {
        if (text == null || text.length() < 20 || text.length() > MAX_LENGTH) {
            throw invalid(text);
        }
        int year = digits(text, 0, 4);
        expect(text, 4, '-');
        int month = digits(text, 5, 2);
        expect(text, 7, '-');
        int day = digits(text, 8, 2);
        char t = text.charAt(10);
        if (t != 'T' && t != 't') {
            throw invalid(text);
        }
        int hour = digits(text, 11, 2);
        expect(text, 13, ':');
        int minute = digits(text, 14, 2);
        expect(text, 16, ':');
        int second = digits(text, 17, 2);
        int i = 19;
        int nanos = 0;
        if (text.charAt(i) == '.') {
            int start = ++i;
            while (i < text.length() && isDigit(text.charAt(i))) {
                i++;
            }
            int n = i - start;
            if (n < 1 || n > 9) {
                throw invalid(text);
            }
            nanos = digits(text, start, n);
            for (int k = n; k < 9; k++) {
                nanos *= 10;
            }
        }
        if (i >= text.length()) {
            throw invalid(text);
        }
        int offsetSeconds;
        char z = text.charAt(i);
        if (z == 'Z' || z == 'z') {
            offsetSeconds = 0;
            i++;
        } else if (z == '+' || z == '-') {
            if (text.length() - i != 6) {
                throw invalid(text);
            }
            int oh = digits(text, i + 1, 2);
            expect(text, i + 3, ':');
            int om = digits(text, i + 4, 2);
            if (om > 59 || oh > MAX_OFFSET_HOURS || (oh == MAX_OFFSET_HOURS && om > 0)) {
                throw invalid(text);
            }
            offsetSeconds = (z == '-' ? -1 : 1) * (oh * 3600 + om * 60);
            i += 6;
        } else {
            throw invalid(text);
        }
        if (i != text.length()
                || month < 1
                || month > 12
                || day < 1
                || day > lengthOfMonth(year, month)
                || hour > 23
                || minute > 59
                || second > 59) {
            throw invalid(text);
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds, nanos);
    }

    private static int lengthOfMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    private static int digits(String text, int from, int count) {
        if (from + count > text.length()) {
            throw invalid(text);
        }
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                throw invalid(text);
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static void expect(String text, int at, char c) {
        if (at >= text.length() || text.charAt(at) != c) {
            throw invalid(text);
        }
    }

    private static IllegalArgumentException invalid(String text) {
        String shown =
                text == null ? "null" : text.length() > MAX_LENGTH ? text.substring(0, MAX_LENGTH) + "..." : text;
        return new IllegalArgumentException(
                "not an RFC 3339 time (YYYY-MM-DDTHH:MM:SS[.fraction]Z or ±HH:MM): " + shown);
    }
}
