package io.trustgate.tuf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Parses metadata strictly and writes JSON in the canonical form Notary signs (docker/go {@code canonical/json}).
 *
 * <p>The form: object keys sorted by their UTF-8 bytes (Go's map key order), no whitespace, integers only
 * (floats are rejected, as Notary's canonical encoder does), and strings escaped the OLPC way: only
 * {@code "} and {@code \} are escaped; {@code <}, {@code >}, {@code &}, control characters and non-ASCII
 * characters are written as raw UTF-8. (Go's default encoder escapes {@code <>&} as <code>&#92;u003c</code>...,
 * its canonical mode does not.)
 */
public final class CanonicalJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private CanonicalJson() {}

    /** Parses JSON bytes into a tree, refusing duplicate keys and trailing content. */
    public static JsonNode parse(String role, byte[] json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new MalformedMetadataException(role, "empty document");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new MalformedMetadataException(role, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MalformedMetadataException(role, "unreadable: " + e.getMessage(), e);
        }
    }

    /** The canonical bytes of a tree. */
    public static byte[] encode(JsonNode node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(node, out);
        return out.toByteArray();
    }

    private static void write(JsonNode node, ByteArrayOutputStream out) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<Map.Entry<byte[], JsonNode>> fields = new ArrayList<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    fields.add(Map.entry(e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue()));
                }
                fields.sort((a, b) -> Arrays.compareUnsigned(a.getKey(), b.getKey()));
                out.write('{');
                boolean first = true;
                for (Map.Entry<byte[], JsonNode> e : fields) {
                    if (!first) {
                        out.write(',');
                    }
                    first = false;
                    writeString(new String(e.getKey(), StandardCharsets.UTF_8), out);
                    out.write(':');
                    write(e.getValue(), out);
                }
                out.write('}');
            }
            case ARRAY -> {
                out.write('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.write(',');
                    }
                    write(node.get(i), out);
                }
                out.write(']');
            }
            case STRING -> writeString(node.textValue(), out);
            case NUMBER -> {
                if (!node.isIntegralNumber()) {
                    throw new IllegalArgumentException("canonical JSON has no floating point numbers: " + node);
                }
                out.writeBytes(node.bigIntegerValue().toString().getBytes(StandardCharsets.US_ASCII));
            }
            case BOOLEAN ->
                out.writeBytes((node.booleanValue() ? "true" : "false").getBytes(StandardCharsets.US_ASCII));
            case NULL -> out.writeBytes("null".getBytes(StandardCharsets.US_ASCII));
            default -> throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
        }
    }

    private static void writeString(String s, ByteArrayOutputStream out) {
        out.write('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.write('\\');
            }
            if (c < 0x80) {
                out.write(c);
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
                out.writeBytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end - 1;
            }
        }
        out.write('"');
    }
}
