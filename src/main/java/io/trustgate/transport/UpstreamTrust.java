package io.trustgate.transport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Which CA certificates are trusted for which upstream (registry, lookaside store, Notary server, token realm),
 * and the one place that turns them into a trust manager: every HTTPS client of trustgate gets its trust here.
 *
 * <p>Three shapes:
 * <ul>
 *   <li>{@link #jvm()}: the JVM's trust store;</li>
 *   <li>{@link #load(Path, Path)}: the JVM's trust store plus a CA bundle for every host
 *       ({@code TRUSTGATE_CA_BUNDLE}) plus, for one host, the CAs of {@code <certsDir>/<host[:port]>/*.crt}
 *       ({@code TRUSTGATE_CERTS_DIR}, the layout of {@code /etc/containers/certs.d} and
 *       {@code /etc/docker/certs.d}). Configured CAs are <em>added</em> to the JVM's, as Docker, Podman and
 *       containerd add them, so a directory copied from a node means the same here;</li>
 *   <li>{@link #exclusive(String)}: only the given CAs (a policy's {@code notary.caBundle}, which pins a server).</li>
 * </ul>
 *
 * A file that does not parse, or holds no certificate, is an {@link InvalidCaException} when loaded, so a
 * broken CA stops start-up instead of failing every request later. Hostname verification stays on: the
 * per-host choice only picks the anchors, the JDK's PKIX trust manager still checks the chain and the name.
 */
public final class UpstreamTrust {

    /** {@code host}, {@code host:port} or {@code [v6]:port}, as certs.d directories are named. */
    private static final Pattern HOST_DIR =
            Pattern.compile("[A-Za-z0-9._-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+](:[0-9]{1,5})?");

    private static final int HTTPS_PORT = 443;
    private static final String PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";
    /** Largest CA file read: a bundle of every public root is about 250 KiB. */
    private static final long MAX_CA_FILE_BYTES = 4L * 1024 * 1024;

    private final boolean withJvmRoots;
    private final List<X509Certificate> everyHost;
    private final Map<String, List<X509Certificate>> perHost;
    private final String description;

    private UpstreamTrust(
            boolean withJvmRoots,
            List<X509Certificate> everyHost,
            Map<String, List<X509Certificate>> perHost,
            String description) {
        this.withJvmRoots = withJvmRoots;
        this.everyHost = List.copyOf(everyHost);
        this.perHost = Map.copyOf(perHost);
        this.description = description;
    }

    /** A CA file or directory that cannot be used; the message names the file and why. */
    public static final class InvalidCaException extends IllegalArgumentException {
        private final Path file;

        InvalidCaException(Path file, String message, Throwable cause) {
            super(message, cause);
            this.file = file;
        }

        /** The file (or directory) at fault, or {@code null} for PEM text. */
        public Path file() {
            return file;
        }
    }

    /** The certificate of an upstream chains to none of the CAs trusted for it. */
    public static final class UntrustedCertificateException extends CertificateException {
        private final String host;

        UntrustedCertificateException(String host, String message, Throwable cause) {
            super(message, cause);
            this.host = host;
        }

        /** {@code host[:port]} of the upstream. */
        public String host() {
            return host;
        }
    }

    /** The JVM's trust store alone. */
    public static UpstreamTrust jvm() {
        return new UpstreamTrust(true, List.of(), Map.of(), "the JVM's trust store");
    }

    /**
     * The JVM's trust store plus {@code bundle} for every host plus the per-host CAs of {@code certsDir}.
     *
     * @param bundle PEM file of CA certificates, or {@code null}
     * @param certsDir directory of {@code <host[:port]>/*.crt}, or {@code null}
     * @throws InvalidCaException when a file cannot be read or holds no parsable certificate
     */
    public static UpstreamTrust load(Path bundle, Path certsDir) {
        List<X509Certificate> every = bundle == null ? List.of() : readFile(bundle);
        Map<String, List<X509Certificate>> hosts = new TreeMap<>();
        if (certsDir != null) {
            if (!Files.isDirectory(certsDir)) {
                throw new InvalidCaException(certsDir, "not a directory", null);
            }
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(certsDir)) {
                for (Path dir : dirs) {
                    String name = dir.getFileName().toString();
                    if (name.startsWith(".") || !Files.isDirectory(dir)) {
                        continue; // Kubernetes volumes keep their data in ..data and ..<timestamp>
                    }
                    if (!HOST_DIR.matcher(name).matches()) {
                        throw new InvalidCaException(dir, "\"" + name + "\" is not a host or host:port", null);
                    }
                    List<X509Certificate> certs = new ArrayList<>();
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.crt")) {
                        for (Path file : files) {
                            certs.addAll(readFile(file));
                        }
                    }
                    if (certs.isEmpty()) {
                        throw new InvalidCaException(dir, "holds no *.crt file", null);
                    }
                    hosts.put(name.toLowerCase(Locale.ROOT), certs);
                }
            } catch (IOException e) {
                throw new InvalidCaException(certsDir, "cannot read: " + e, e);
            }
        }
        StringBuilder d = new StringBuilder("the JVM's trust store");
        if (bundle != null) {
            d.append(", the CA bundle ").append(bundle);
        }
        if (certsDir != null) {
            d.append(", the per-host CAs of ").append(certsDir);
        }
        return new UpstreamTrust(true, every, hosts, d.toString());
    }

    /**
     * Exactly the CA certificates of {@code pem}, nothing from the JVM or the configuration.
     *
     * @throws InvalidCaException when the text holds no parsable certificate
     */
    public static UpstreamTrust exclusive(String pem) {
        List<X509Certificate> certs = parse(null, pem.getBytes(StandardCharsets.US_ASCII));
        return new UpstreamTrust(false, certs, Map.of(), "the policy's CA bundle alone");
    }

    /** The hosts ({@code host[:port]}, lower case) that have CAs of their own. */
    public java.util.Set<String> hosts() {
        return perHost.keySet();
    }

    /** What is trusted, for messages: e.g. "the JVM's trust store, the CA bundle /etc/ca.pem". */
    public String description() {
        return description;
    }

    /** The trust manager of a client: picks the anchors by the peer's host and port on every handshake. */
    X509TrustManager trustManager() {
        try {
            List<X509Certificate> roots = new ArrayList<>();
            if (withJvmRoots) {
                roots.addAll(Arrays.asList(pkix(null).getAcceptedIssuers()));
            }
            roots.addAll(everyHost);
            X509ExtendedTrustManager common = pkix(roots);
            Map<String, X509ExtendedTrustManager> byHost = new TreeMap<>();
            for (Map.Entry<String, List<X509Certificate>> e : perHost.entrySet()) {
                List<X509Certificate> anchors = new ArrayList<>(roots);
                anchors.addAll(e.getValue());
                byHost.put(e.getKey(), pkix(anchors));
            }
            return new ByHost(common, byHost, description);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust manager: " + e.getMessage(), e);
        }
    }

    /** The JDK's PKIX trust manager over {@code anchors} ({@code null}: the JVM's default trust store). */
    private static X509ExtendedTrustManager pkix(List<X509Certificate> anchors)
            throws GeneralSecurityException, IOException {
        KeyStore store = null;
        if (anchors != null) {
            store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (X509Certificate cert : anchors) {
                store.setCertificateEntry("ca-" + i++, cert);
            }
        }
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(store);
        return Arrays.stream(f.getTrustManagers())
                .filter(X509ExtendedTrustManager.class::isInstance)
                .map(X509ExtendedTrustManager.class::cast)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the JDK has no X509 trust manager"));
    }

    private static List<X509Certificate> readFile(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new InvalidCaException(file, "no such file", null);
            }
            if (Files.size(file) > MAX_CA_FILE_BYTES) {
                throw new InvalidCaException(file, "larger than " + MAX_CA_FILE_BYTES + " bytes", null);
            }
        } catch (IOException e) {
            throw new InvalidCaException(file, "cannot read: " + e, e);
        }
        try {
            return parse(file, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new InvalidCaException(file, "cannot read: " + e, e);
        }
    }

    private static List<X509Certificate> parse(Path file, byte[] pem) {
        if (!new String(pem, StandardCharsets.US_ASCII).contains(PEM_CERTIFICATE)) {
            throw new InvalidCaException(file, "holds no PEM certificate", null);
        }
        List<X509Certificate> certs = new ArrayList<>();
        try {
            for (Certificate c :
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
                certs.add((X509Certificate) c);
            }
        } catch (CertificateException e) {
            // The JDK's own words ("extra data at the end") name no line; the file is what the reader must fix.
            throw new InvalidCaException(file, "not PEM certificates: a BEGIN CERTIFICATE block does not parse", e);
        }
        if (certs.isEmpty()) {
            throw new InvalidCaException(file, "holds no PEM certificate", null);
        }
        return certs;
    }

    /** {@code host[:port]} as certs.d names it: the port only when it is not 443. */
    static String hostKey(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.contains(":") && !h.startsWith("[")) {
            h = "[" + h + "]";
        }
        return port <= 0 || port == HTTPS_PORT ? h : h + ":" + port;
    }

    /** Chooses the anchors of the peer's {@code host[:port]}; the chosen PKIX manager checks chain and name. */
    private static final class ByHost extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager common;
        private final Map<String, X509ExtendedTrustManager> byHost;
        private final String description;

        ByHost(X509ExtendedTrustManager common, Map<String, X509ExtendedTrustManager> byHost, String description) {
            this.common = common;
            this.byHost = byHost;
            this.description = description;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            String host = engine == null || engine.getPeerHost() == null
                    ? null
                    : hostKey(engine.getPeerHost(), engine.getPeerPort());
            X509ExtendedTrustManager tm = host == null ? common : byHost.getOrDefault(host, common);
            try {
                tm.checkServerTrusted(chain, authType, engine);
            } catch (CertificateException e) {
                throw untrusted(host, chain, tm, e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            // The name the client connected to, never a reverse look-up of the address.
            String host = socket instanceof SSLSocket ssl
                            && ssl.getHandshakeSession() != null
                            && ssl.getHandshakeSession().getPeerHost() != null
                    ? hostKey(
                            ssl.getHandshakeSession().getPeerHost(),
                            ssl.getHandshakeSession().getPeerPort())
                    : null;
            X509ExtendedTrustManager tm = host == null ? common : byHost.getOrDefault(host, common);
            try {
                tm.checkServerTrusted(chain, authType, socket);
            } catch (CertificateException e) {
                throw untrusted(host, chain, tm, e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                common.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                throw untrusted(null, chain, common, e);
            }
        }

        private CertificateException untrusted(
                String host, X509Certificate[] chain, X509ExtendedTrustManager tm, CertificateException cause) {
            String who = host == null ? "the upstream" : host;
            String subject = chain == null || chain.length == 0
                    ? "?"
                    : chain[0].getSubjectX500Principal().getName() + " issued by "
                            + chain[0].getIssuerX500Principal().getName();
            String trusted = description + (tm != common ? ", the CAs of " + host : "");
            return new UntrustedCertificateException(
                    who,
                    "certificate not trusted: " + who + " presented ["
                            + subject + "], and none of the CAs trusted for it (" + trusted + ") accepts it ("
                            + cause.getMessage() + ")",
                    cause);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("trustgate's upstream clients do not accept client connections");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("trustgate's upstream clients do not accept client connections");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("trustgate's upstream clients do not accept client connections");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return common.getAcceptedIssuers();
        }
    }
}
