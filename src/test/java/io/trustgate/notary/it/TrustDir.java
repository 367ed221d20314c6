package io.trustgate.notary.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.testing.NotaryCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the keys a policy pins or names from the {@code notary} CLI's trust directory, the way
 * {@code docs/notary.md} tells a repository owner to:
 *
 * <ul>
 *   <li>the root <b>certificate</b>: {@code tuf/<gun>/metadata/root.json}, {@code signed.roles.root.keyids[0]},
 *       then {@code signed.keys[<id>].keyval.public} base64-decoded (a PEM certificate, key type
 *       {@code ecdsa-x509});</li>
 *   <li>the root <b>canonical key id</b>: the {@code root} line of {@code notary key list} (also the file name
 *       of the private key under {@code private/}); it differs from the certificate's TUF key id;</li>
 *   <li>any role's TUF key ids: {@code signed.roles.<role>.keyids} of the same root.json.</li>
 * </ul>
 */
final class TrustDir {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ROOT_LINE = Pattern.compile("(?m)^\\s*root\\s+.*?\\b([0-9a-f]{64})\\b");

    private TrustDir() {}

    static JsonNode localRoot(NotaryCli cli, String gun) {
        Path file =
                cli.trustDir().resolve("tuf").resolve(gun).resolve("metadata").resolve("root.json");
        try {
            return JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The PEM certificate of the GUN's (first) root key. */
    static String rootCertificatePem(NotaryCli cli, String gun) {
        JsonNode signed = localRoot(cli, gun).get("signed");
        String id = signed.at("/roles/root/keyids/0").asText();
        return new String(
                Base64.getDecoder()
                        .decode(signed.at("/keys/" + id + "/keyval/public").asText()),
                StandardCharsets.US_ASCII);
    }

    /** The TUF key id of the root certificate, as root.json lists it. */
    static String rootCertificateKeyId(NotaryCli cli, String gun) {
        return localRoot(cli, gun).at("/signed/roles/root/keyids/0").asText();
    }

    /** The key ids root.json lists for a top-level role ({@code targets}, {@code snapshot}...). */
    static List<String> roleKeyIds(NotaryCli cli, String gun, String role) {
        JsonNode ids = localRoot(cli, gun).at("/signed/roles/" + role + "/keyids");
        return java.util.stream.StreamSupport.stream(ids.spliterator(), false)
                .map(JsonNode::asText)
                .toList();
    }

    /** The canonical root key id that {@code notary key list} prints. */
    static String rootCanonicalKeyId(NotaryCli cli) {
        Matcher m = ROOT_LINE.matcher(cli.keyList().stdout());
        if (!m.find()) {
            throw new IllegalStateException(
                    "no root key in notary key list:\n" + cli.keyList().stdout());
        }
        return m.group(1);
    }
}
