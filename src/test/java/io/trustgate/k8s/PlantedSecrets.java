package io.trustgate.k8s;

import java.util.List;
import java.util.Map;

/**
 * Secret values that must never appear in a policy's status, a log line or a metric: unusable keys and a
 * malformed pull secret, each carrying a unique marker right where a parser would start quoting it.
 */
public final class PlantedSecrets {

    /** Unique markers; a leak of even a value's first characters contains one of them. */
    public static final String PGP_MARK = "Qx7PlantPgp";

    public static final String PEM_MARK = "Zr4PlantPem";
    public static final String ID_MARK = "Wv9PlantId";
    public static final String PASSWORD_MARK = "Kp2PlantPassword";

    public static final String BAD_PGP = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n" + PGP_MARK
            + "mQINBGV0ZXN0AQgA0123456789abcdef\n=AbCd\n-----END PGP PUBLIC KEY BLOCK-----\n";
    public static final String BAD_PEM = "-----BEGIN PUBLIC KEY-----\n" + PEM_MARK
            + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";
    public static final String BAD_ID = ID_MARK + "-not-a-key-id";
    /** Not JSON (a trailing comma), with a password a naive parser error would echo. */
    public static final String BAD_DOCKERCONFIG =
            "{\"auths\":{\"registry.example\":{\"username\":\"u\",\"password\":\"" + PASSWORD_MARK + "\",}}}";

    /** The Secret's keys and values. */
    public static final Map<String, String> KEYS = Map.of("pgp.asc", BAD_PGP, "key.pem", BAD_PEM, "ids", BAD_ID);

    public static final List<String> MARKS = List.of(PGP_MARK, PEM_MARK, ID_MARK, PASSWORD_MARK);

    private PlantedSecrets() {}
}
