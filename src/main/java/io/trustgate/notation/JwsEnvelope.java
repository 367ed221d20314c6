package io.trustgate.notation;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.trustgate.notation.NotationCheck.Reason;
import io.trustgate.tuf.TufKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a Notation JWS envelope ({@code application/jose+json}, JWS JSON serialization; Notary Project
 * signature-envelope-jws.md): the protected header, the payload, the signature and the {@code x5c} chain of the
 * unprotected header. The signature covers {@code BASE64URL(protected) "." BASE64URL(payload)}.
 */
final class JwsEnvelope {

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private JwsEnvelope() {}

    static SignedEnvelope read(byte[] envelope) throws EnvelopeException {
        try {
            return parse(envelope);
        } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
            throw new EnvelopeException(Reason.MALFORMED_ENVELOPE, "JWS envelope cannot be read: " + e.getMessage());
        }
    }

    private static SignedEnvelope parse(byte[] envelope) throws IOException, EnvelopeException {
        JsonNode jws = JSON.readTree(envelope);
        if (jws == null || !jws.isObject()) {
            throw new EnvelopeException(Reason.MALFORMED_ENVELOPE, "the envelope is not a JWS JSON object");
        }
        String protectedB64 = jws.path("protected").asText("");
        String payloadB64 = jws.path("payload").asText("");
        String signatureB64 = jws.path("signature").asText("");
        JsonNode x5c = jws.path("header").path("x5c");
        if (protectedB64.isEmpty() || payloadB64.isEmpty() || signatureB64.isEmpty() || !x5c.isArray()) {
            throw new EnvelopeException(
                    Reason.MALFORMED_ENVELOPE, "the JWS lacks protected, payload, signature or header.x5c");
        }
        Base64.Decoder url = Base64.getUrlDecoder();
        JsonNode header = JSON.readTree(url.decode(protectedB64));
        if (header == null || !header.isObject()) {
            throw new EnvelopeException(Reason.MALFORMED_ENVELOPE, "the protected header is not a JSON object");
        }
        Set<String> names = new HashSet<>();
        for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        List<String> crit = new ArrayList<>();
        for (JsonNode c : header.path("crit")) {
            crit.add(c.asText());
        }
        if (x5c.isEmpty() || x5c.size() > NotationLimits.MAX_CHAIN_LENGTH) {
            throw new EnvelopeException(
                    Reason.MALFORMED_ENVELOPE,
                    "x5c has " + x5c.size() + " certificates (1 to " + NotationLimits.MAX_CHAIN_LENGTH + " allowed)");
        }
        List<X509Certificate> chain = new ArrayList<>();
        for (JsonNode c : x5c) {
            try {
                chain.add(TufKey.certificate(Base64.getDecoder().decode(c.asText(""))));
            } catch (CertificateException e) {
                throw new EnvelopeException(Reason.MALFORMED_ENVELOPE, "an x5c certificate does not parse");
            }
        }
        return new SignedEnvelope(
                "JWS",
                names,
                crit,
                header.path("alg").asText(""),
                header.path("cty").asText(""),
                header.path(SignedEnvelope.SIGNING_SCHEME).asText(""),
                time(header, SignedEnvelope.SIGNING_TIME),
                time(header, SignedEnvelope.EXPIRY),
                (protectedB64 + "." + payloadB64).getBytes(StandardCharsets.US_ASCII),
                url.decode(signatureB64),
                url.decode(payloadB64),
                chain);
    }

    /** An RFC 3339 time header, or {@code null} when absent. */
    private static Instant time(JsonNode header, String name) {
        JsonNode value = header.get(name);
        return value == null ? null : OffsetDateTime.parse(value.asText()).toInstant();
    }
}
