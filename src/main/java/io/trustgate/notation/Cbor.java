package io.trustgate.notation;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bounded CBOR (RFC 8949) reader for COSE envelopes, on FasterXML's {@code jackson-dataformat-cbor} parser: the
 * parser does the wire format (lengths, indefinite items, tags, floats), this class builds a small value tree and
 * enforces {@link NotationLimits#MAX_CBOR_DEPTH} and {@link NotationLimits#MAX_CBOR_ITEMS} while it reads, so a
 * hostile envelope costs at most its (already bounded) size. Values: {@link Long} or {@link BigInteger}, {@link
 * Double}, {@link String}, {@code byte[]}, {@link Boolean}, {@link #NULL}, {@link List}, {@link Map} keyed by {@link
 * Label}, and {@link Tagged}. A map with a key that is neither an integer nor a text string, or with a key twice, is
 * refused (COSE labels are int or tstr, and a repeated label is ambiguous).
 */
final class Cbor {

    /** CBOR null and undefined. */
    static final Object NULL = new Object();

    /** A COSE label: an integer (e.g. 1 for {@code alg}) or a text string; {@code 1} and {@code "1"} differ. */
    record Label(Long number, String text) {
        static Label of(long n) {
            return new Label(n, null);
        }

        static Label of(String s) {
            return new Label(null, s);
        }

        @Override
        public String toString() {
            return number != null ? "label " + number : text;
        }
    }

    /** A tagged value, e.g. {@code 18([...])} (COSE_Sign1) or {@code 1(1667411812)} (epoch time). */
    record Tagged(int tag, Object value) {}

    /** The input is not well-formed CBOR, breaks a bound, or has a shape COSE does not allow. */
    static final class CborException extends Exception {
        private static final long serialVersionUID = 1L;

        CborException(String message) {
            super(message);
        }
    }

    private static final CBORFactory FACTORY = CBORFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(NotationLimits.MAX_CBOR_DEPTH + 1)
                    .maxDocumentLength(NotationLimits.MAX_ENVELOPE_BYTES)
                    .maxStringLength(NotationLimits.MAX_ENVELOPE_BYTES)
                    .maxNumberLength(64)
                    .build())
            .build();

    private final byte[] input;
    private final CBORParser parser;
    private int items;

    private Cbor(byte[] input) throws IOException {
        this.input = input;
        this.parser = FACTORY.createParser(input);
    }

    /** Reads exactly one data item that must fill {@code input}. */
    static Object read(byte[] input) throws CborException {
        if (input.length > NotationLimits.MAX_ENVELOPE_BYTES) {
            throw new CborException("CBOR item of " + input.length + " bytes, more than the limit of "
                    + NotationLimits.MAX_ENVELOPE_BYTES);
        }
        try {
            Cbor cbor = new Cbor(input);
            try (CBORParser p = cbor.parser) {
                JsonToken first = p.nextToken();
                if (first == null) {
                    throw new CborException("empty CBOR input");
                }
                Object value = cbor.value(first, 1);
                if (p.nextToken() != null) {
                    throw new CborException("data after the CBOR item");
                }
                return value;
            }
        } catch (IOException | RuntimeException e) {
            // Jackson's parse errors and its read-constraint violations both end here: not readable CBOR.
            throw new CborException("not well-formed CBOR: " + firstLine(e.getMessage()));
        }
    }

    private Object value(JsonToken token, int depth) throws IOException, CborException {
        if (++items > NotationLimits.MAX_CBOR_ITEMS) {
            throw new CborException("more than " + NotationLimits.MAX_CBOR_ITEMS + " CBOR data items");
        }
        int tag = parser.getCurrentTag();
        if (tag != -1 && parser.getCurrentTags().size() > 1) {
            throw new CborException("nested CBOR tags");
        }
        Object value = untagged(token, depth);
        return tag == -1 ? value : new Tagged(tag, value);
    }

    private Object untagged(JsonToken token, int depth) throws IOException, CborException {
        switch (token) {
            case START_ARRAY -> {
                checkDepth(depth);
                List<Object> list = new ArrayList<>();
                JsonToken t;
                while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == null) {
                        throw new CborException("truncated CBOR array");
                    }
                    list.add(value(t, depth + 1));
                }
                return Collections.unmodifiableList(list);
            }
            case START_OBJECT -> {
                checkDepth(depth);
                Map<Label, Object> map = new LinkedHashMap<>();
                JsonToken t;
                while ((t = parser.nextToken()) != JsonToken.END_OBJECT) {
                    if (t != JsonToken.FIELD_NAME) {
                        throw new CborException("truncated CBOR map");
                    }
                    Label label = label();
                    JsonToken v = parser.nextToken();
                    if (v == null) {
                        throw new CborException("truncated CBOR map");
                    }
                    if (map.put(label, value(v, depth + 1)) != null) {
                        throw new CborException("map key " + label + " appears twice");
                    }
                }
                return Collections.unmodifiableMap(map);
            }
            case VALUE_NUMBER_INT -> {
                return switch (parser.getNumberType()) {
                    case INT, LONG -> parser.getLongValue();
                    default -> parser.getBigIntegerValue();
                };
            }
            case VALUE_NUMBER_FLOAT -> {
                return parser.getDoubleValue();
            }
            case VALUE_STRING -> {
                return parser.getText();
            }
            case VALUE_EMBEDDED_OBJECT -> {
                Object embedded = parser.getEmbeddedObject();
                if (embedded instanceof byte[] bytes) {
                    return bytes;
                }
                throw new CborException("unexpected CBOR value " + (embedded == null ? "undefined" : "simple value"));
            }
            case VALUE_TRUE -> {
                return true;
            }
            case VALUE_FALSE -> {
                return false;
            }
            case VALUE_NULL -> {
                return NULL;
            }
            default -> throw new CborException("unexpected CBOR token " + token);
        }
    }

    /**
     * The current map key as a COSE label. Jackson reports integer keys as their decimal text, so the key's
     * initial byte says which it was: major type 0/1 is an integer, 3 a text string; anything else is refused.
     */
    private Label label() throws IOException, CborException {
        if (++items > NotationLimits.MAX_CBOR_ITEMS) {
            throw new CborException("more than " + NotationLimits.MAX_CBOR_ITEMS + " CBOR data items");
        }
        long offset = parser.currentTokenLocation().getByteOffset();
        if (offset < 0 || offset >= input.length) {
            throw new CborException("CBOR map key at an unknown position");
        }
        int major = (input[(int) offset] & 0xFF) >>> 5;
        String name = parser.currentName();
        if (major == 3) {
            return Label.of(name);
        }
        if (major == 0 || major == 1) {
            try {
                return Label.of(Long.parseLong(name));
            } catch (NumberFormatException e) {
                throw new CborException("CBOR integer map key out of range");
            }
        }
        throw new CborException("CBOR map key of major type " + major + " (COSE labels are integers or text)");
    }

    private static void checkDepth(int depth) throws CborException {
        if (depth > NotationLimits.MAX_CBOR_DEPTH) {
            throw new CborException("CBOR nested deeper than " + NotationLimits.MAX_CBOR_DEPTH + " levels");
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        String line = message.lines().findFirst().orElse("");
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }
}
