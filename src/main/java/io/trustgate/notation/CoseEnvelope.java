package io.trustgate.notation;

import io.trustgate.notation.Cbor.CborException;
import io.trustgate.notation.Cbor.Label;
import io.trustgate.notation.Cbor.Tagged;
import io.trustgate.notation.NotationCheck.Reason;
import io.trustgate.tuf.TufKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Notation COSE envelope ({@code application/cose}; Notary Project signature-envelope-cose.md): a
 * {@code COSE_Sign1_Tagged} message {@code 18([protected, unprotected, payload, signature])} (RFC 9052). The
 * protected header is a CBOR map in a byte string with {@code alg} (1), {@code crit} (2), {@code content type} (3)
 * and the {@code io.cncf.notary.*} headers (times as epoch-based date/time, tag 1); the certificate chain is
 * {@code x5chain} (33) in the unprotected header (or, as the specification allows, the protected one). The
 * signature covers {@code Sig_structure = ["Signature1", protected, h'', payload]}.
 */
final class CoseEnvelope {

    /** RFC 9052 tag of COSE_Sign1. */
    static final int COSE_SIGN1_TAG = 18;
    /** RFC 8949 tag of an epoch-based date/time. */
    static final int EPOCH_TIME_TAG = 1;

    private static final Label ALG = Label.of(1);
    private static final Label CRIT = Label.of(2);
    private static final Label CONTENT_TYPE = Label.of(3);
    private static final Label X5CHAIN = Label.of(33);

    /** The COSE algorithm numbers Notation allows, as their JWS names (signature-envelope-cose.md). */
    private static final Map<Long, String> ALGORITHMS =
            Map.of(-37L, "PS256", -38L, "PS384", -39L, "PS512", -7L, "ES256", -35L, "ES384", -36L, "ES512");

    private CoseEnvelope() {}

    static SignedEnvelope read(byte[] envelope) throws EnvelopeException {
        try {
            return parse(envelope);
        } catch (CborException e) {
            throw malformed(e.getMessage());
        }
    }

    private static SignedEnvelope parse(byte[] envelope) throws CborException, EnvelopeException {
        if (!(Cbor.read(envelope) instanceof Tagged tagged)
                || tagged.tag() != COSE_SIGN1_TAG
                || !(tagged.value() instanceof List<?> message)) {
            throw malformed("the envelope is not a COSE_Sign1_Tagged message (tag 18)");
        }
        if (message.size() != 4
                || !(message.get(0) instanceof byte[] protectedBytes)
                || !(message.get(1) instanceof Map<?, ?> unprotected)
                || !(message.get(2) instanceof byte[] payload)
                || !(message.get(3) instanceof byte[] signature)) {
            throw malformed("COSE_Sign1 is [protected bstr, unprotected map, payload bstr, signature bstr]"
                    + " (a detached payload is not supported)");
        }
        if (!(Cbor.read(protectedBytes) instanceof Map<?, ?> header)) {
            throw malformed("the protected header is not a CBOR map");
        }
        Set<String> names = new HashSet<>();
        for (Object key : header.keySet()) {
            names.add(key.toString());
        }
        List<String> crit = new ArrayList<>();
        Object critical = header.get(CRIT);
        if (critical != null) {
            if (!(critical instanceof List<?> list) || list.isEmpty()) {
                throw malformed("crit is not a non-empty array");
            }
            for (Object c : list) {
                if (c instanceof String s) {
                    crit.add(s);
                } else if (c instanceof Long n) {
                    crit.add(Label.of(n).toString());
                } else {
                    throw malformed("a crit entry is neither an integer nor a text label");
                }
            }
        }
        Object alg = header.get(ALG);
        String algName = alg instanceof Long n ? ALGORITHMS.getOrDefault(n, "COSE " + n) : "";
        Object x5chain = unprotected.get(X5CHAIN);
        if (x5chain == null) {
            x5chain = header.get(X5CHAIN);
        } else if (header.containsKey(X5CHAIN)) {
            throw malformed("x5chain is in both the protected and the unprotected header");
        }
        return new SignedEnvelope(
                "COSE",
                names,
                crit,
                algName,
                text(header.get(CONTENT_TYPE)),
                text(header.get(Label.of(SignedEnvelope.SIGNING_SCHEME))),
                time(header, SignedEnvelope.SIGNING_TIME),
                time(header, SignedEnvelope.EXPIRY),
                sigStructure(protectedBytes, payload),
                signature,
                payload,
                chain(x5chain));
    }

    /** {@code x5chain}: an array of DER certificates, or one certificate as a byte string (RFC 9360). */
    private static List<X509Certificate> chain(Object x5chain) throws EnvelopeException {
        List<?> entries;
        if (x5chain instanceof byte[] single) {
            entries = List.of(single);
        } else if (x5chain instanceof List<?> list) {
            entries = list;
        } else {
            throw malformed("the envelope has no x5chain certificate chain");
        }
        if (entries.isEmpty() || entries.size() > NotationLimits.MAX_CHAIN_LENGTH) {
            throw malformed("x5chain has " + entries.size() + " certificates (1 to " + NotationLimits.MAX_CHAIN_LENGTH
                    + " allowed)");
        }
        List<X509Certificate> chain = new ArrayList<>();
        for (Object entry : entries) {
            if (!(entry instanceof byte[] der)) {
                throw malformed("an x5chain entry is not a byte string");
            }
            try {
                chain.add(TufKey.certificate(der));
            } catch (CertificateException e) {
                throw malformed("an x5chain certificate does not parse");
            }
        }
        return chain;
    }

    /** An epoch-based date/time header ({@code 1(seconds)}), or {@code null} when absent. */
    private static Instant time(Map<?, ?> header, String name) throws EnvelopeException {
        Object value = header.get(Label.of(name));
        if (value == null) {
            return null;
        }
        if (value instanceof Tagged t && t.tag() == EPOCH_TIME_TAG) {
            if (t.value() instanceof Long seconds) {
                return Instant.ofEpochSecond(seconds);
            }
            if (t.value() instanceof Double seconds && Double.isFinite(seconds) && Math.abs(seconds) < 1e15) {
                return Instant.ofEpochMilli((long) Math.floor(seconds * 1000));
            }
        }
        throw malformed(name + " is not an epoch-based date/time (tag 1)");
    }

    private static String text(Object value) {
        return value instanceof String s ? s : "";
    }

    /** The CBOR encoding of {@code ["Signature1", protected, h'', payload]} (RFC 9052 section 4.4). */
    static byte[] sigStructure(byte[] protectedBytes, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(protectedBytes.length + payload.length + 32);
        out.write(0x84); // array of 4
        byte[] context = "Signature1".getBytes(StandardCharsets.US_ASCII);
        head(out, 3, context.length);
        out.writeBytes(context);
        head(out, 2, protectedBytes.length);
        out.writeBytes(protectedBytes);
        head(out, 2, 0); // external_aad: empty
        head(out, 2, payload.length);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** A CBOR head (major type and definite length), shortest form as RFC 8949 section 4.2.1 asks. */
    private static void head(ByteArrayOutputStream out, int major, long length) {
        int type = major << 5;
        if (length < 24) {
            out.write(type | (int) length);
        } else if (length < 0x100) {
            out.write(type | 24);
            out.write((int) length);
        } else if (length < 0x10000) {
            out.write(type | 25);
            out.write((int) (length >>> 8));
            out.write((int) length);
        } else {
            out.write(type | 26);
            for (int shift = 24; shift >= 0; shift -= 8) {
                out.write((int) (length >>> shift));
            }
        }
    }

    private static EnvelopeException malformed(String detail) {
        return new EnvelopeException(Reason.MALFORMED_ENVELOPE, "COSE envelope: " + detail);
    }
}
