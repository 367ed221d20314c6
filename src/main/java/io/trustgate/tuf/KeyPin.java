package io.trustgate.tuf;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A key named by a policy: a PEM public key, a PEM X.509 certificate, or a hex key id.
 *
 * <p>A PEM key or certificate matches the TUF key carrying the same public key (whatever its key type);
 * a hex id matches a TUF key id or Notary's canonical key id (the id of the same key as a plain key).
 *
 * @param value the hex SubjectPublicKeyInfo id or the hex key id
 * @param byKeyId whether {@code value} is a key id (else an SPKI id)
 * @param source the pin as given, abbreviated, for messages
 */
public record KeyPin(String value, boolean byKeyId, String source) {

    private static final Pattern HEX_ID = Pattern.compile("[0-9a-fA-F]{64}");
    private static final String PEM_PUBLIC_KEY = "PUBLIC KEY";
    private static final String PEM_CERTIFICATE = "CERTIFICATE";
    private static final Pattern PEM_HEADER_LINE = Pattern.compile("(?m)^[A-Za-z][A-Za-z0-9-]*:[^\\n]*\\n");
    private static final String BEGIN = "-----BEGIN ";
    private static final String DASHES = "-----";

    /** Reads a PEM public key, a PEM certificate or a 64-digit hex key id. */
    public static KeyPin parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidPinException(text, "empty");
        }
        // PEM header lines ("role: targets/releases", which notary key generate writes) are not key material
        String trimmed = PEM_HEADER_LINE.matcher(text.trim()).replaceAll("");
        if (HEX_ID.matcher(trimmed).matches()) {
            return new KeyPin(trimmed.toLowerCase(Locale.ROOT), true, trimmed);
        }
        String[] pem = pemBlock(trimmed);
        if (pem == null) {
            throw new InvalidPinException(
                    text, "expected a PEM public key, a PEM certificate or a 64-digit hex key id");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem[1]);
        } catch (IllegalArgumentException e) {
            throw new InvalidPinException(text, "PEM body is not base64");
        }
        try {
            String spki = switch (pem[0]) {
                case PEM_PUBLIC_KEY -> TufKey.spkiId(der);
                case PEM_CERTIFICATE ->
                    TufKey.spkiId(TufKey.certificate(trimmed.getBytes(StandardCharsets.US_ASCII))
                            .getPublicKey()
                            .getEncoded());
                default -> throw new InvalidPinException(text, "unsupported PEM type " + pem[0]);
            };
            return new KeyPin(
                    spki,
                    false,
                    pem[0].equals(PEM_PUBLIC_KEY) ? "public key sha256:" + spki : "certificate key sha256:" + spki);
        } catch (CertificateException | IllegalArgumentException e) {
            throw new InvalidPinException(text, e.getMessage());
        }
    }

    /**
     * The type and base64 body of the first PEM block, or {@code null}: a linear scan, because a pin is policy
     * input and the regular expression this replaces backtracked quadratically on long runs of whitespace.
     */
    private static String[] pemBlock(String text) {
        int begin = text.indexOf(BEGIN);
        if (begin < 0) {
            return null;
        }
        int typeStart = begin + BEGIN.length();
        int typeEnd = text.indexOf(DASHES, typeStart);
        if (typeEnd <= typeStart) {
            return null;
        }
        String type = text.substring(typeStart, typeEnd);
        for (int i = 0; i < type.length(); i++) {
            char c = type.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ')) {
                return null;
            }
        }
        int bodyStart = typeEnd + DASHES.length();
        int end = text.indexOf("-----END " + type + DASHES, bodyStart);
        if (end < 0) {
            return null;
        }
        String body = text.substring(bodyStart, end).strip();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (!((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '+'
                    || c == '/'
                    || c == '='
                    || Character.isWhitespace(c))) {
                return null;
            }
        }
        return body.isEmpty() ? null : new String[] {type, body};
    }

    /** Whether this pin names the given TUF key. */
    public boolean matches(TufKey key) {
        return byKeyId ? value.equals(key.keyId()) || value.equals(key.canonicalKeyId()) : value.equals(key.spkiId());
    }

    @Override
    public String toString() {
        return byKeyId ? "key id " + value : source;
    }
}
