package io.trustgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.trustgate.recheck.PolicyReports;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code trustgate report}: the background recheck's PolicyReports read from a cluster with a kubeconfig, printed as
 * one table (namespace, workload, image, policy, result, message), for admins without Prometheus or Policy
 * Reporter. Exit 1 when any running workload fails a policy.
 */
@Command(
        name = "report",
        sortOptions = false,
        description = {
            "Prints the running workloads' results from trustgate's PolicyReports in a cluster (written by the",
            "background recheck): namespace, workload, image, policy, result and, for failures, the reason."
        })
final class ReportCommand implements Callable<Integer> {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Largest list of reports read (the API server pages larger ones; this command does not). */
    static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

    @ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--kubeconfig",
            paramLabel = "FILE",
            description = "kubeconfig to use (default: $KUBECONFIG, else ~/.kube/config); its current context.")
    Path kubeconfig;

    @Option(
            names = {"-n", "--namespace"},
            paramLabel = "NS",
            description = "Only this namespace (default: every namespace).")
    String namespace;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "text|json",
            defaultValue = "text",
            description = "text or json (the results as the reports hold them).")
    Output output;

    @Override
    public Integer call() throws IOException {
        Cluster cluster = Cluster.of(kubeconfigPath());
        String path = "/apis/wgpolicyk8s.io/v1alpha2/"
                + (namespace != null ? "namespaces/" + namespace + "/" : "")
                + "policyreports?labelSelector="
                + URLEncoder.encode(PolicyReports.MANAGED_BY + "=" + PolicyReports.SOURCE, StandardCharsets.UTF_8);
        JsonNode list = cluster.get(path);
        PrintWriter out = spec.commandLine().getOut();
        boolean failing = false;
        if (output == Output.json) {
            var results = JSON.createArrayNode();
            for (JsonNode report : list.path("items")) {
                for (JsonNode r : report.path("results")) {
                    results.add(r);
                    failing |= r.path("result").asText().equals("fail");
                }
            }
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
            return failing ? Main.DENIED : Main.OK;
        }
        out.printf(
                "%-16s %-32s %-48s %-36s %-6s %s%n", "NAMESPACE", "WORKLOAD", "IMAGE", "POLICY", "RESULT", "MESSAGE");
        int rows = 0;
        for (JsonNode report : list.path("items")) {
            String ns = report.path("metadata").path("namespace").asText();
            for (JsonNode r : report.path("results")) {
                JsonNode res = r.path("resources").path(0);
                String result = r.path("result").asText();
                failing |= result.equals("fail");
                out.printf(
                        "%-16s %-32s %-48s %-36s %-6s %s%n",
                        ns,
                        res.path("kind").asText() + "/" + res.path("name").asText(),
                        r.path("properties").path("image").asText(),
                        r.path("policy").asText(),
                        result,
                        result.equals("pass") ? "" : r.path("message").asText());
                rows++;
            }
        }
        if (rows == 0) {
            out.println("(no results: is trustgate running in the cluster with TRUSTGATE_RECHECK_INTERVAL above 0s?)");
        }
        return failing ? Main.DENIED : Main.OK;
    }

    private Path kubeconfigPath() {
        if (kubeconfig != null) {
            return kubeconfig;
        }
        String env = main.env().get("KUBECONFIG");
        if (env != null && !env.isBlank()) {
            int sep = env.indexOf(java.io.File.pathSeparatorChar);
            return Path.of(sep < 0 ? env : env.substring(0, sep)); // kubectl merges a list; the first file here
        }
        return Path.of(System.getProperty("user.home"), ".kube", "config");
    }

    /**
     * The current context's API server and CA, and its user's credentials from a kubeconfig: a bearer token
     * ({@code token}, {@code tokenFile}) or a client certificate ({@code client-certificate[-data]} with
     * {@code client-key[-data]}, as kubeadm and kind write). {@code token} is null for a client certificate.
     */
    private record Cluster(String server, HttpClient http, String token) {

        /** Largest kubeconfig read (kubectl's own files are a few KiB). */
        private static final long MAX_KUBECONFIG_BYTES = 1024 * 1024;

        static Cluster of(Path file) throws IOException {
            JsonNode config;
            try {
                if (Files.size(file) > MAX_KUBECONFIG_BYTES) {
                    throw new CliException("kubeconfig " + file + " is larger than " + MAX_KUBECONFIG_BYTES + " bytes");
                }
                config = YAML.readTree(Files.readString(file));
            } catch (java.nio.file.NoSuchFileException e) {
                throw new CliException("cannot read kubeconfig " + file + ": no such file");
            }
            String current = config.path("current-context").asText();
            JsonNode context = named(config, "contexts", current, "context");
            JsonNode cluster = named(config, "clusters", context.path("cluster").asText(), "cluster");
            String userName = context.path("user").asText();
            JsonNode user = named(config, "users", userName, "user");
            String token = user.path("token").asText(null);
            if (token == null && user.has("tokenFile")) {
                token = Files.readString(
                                file.resolveSibling(user.path("tokenFile").asText()))
                        .strip();
            }
            byte[] clientCert = bytes(file, user, "client-certificate-data", "client-certificate");
            byte[] clientKey = bytes(file, user, "client-key-data", "client-key");
            if (token == null && (clientCert == null || clientKey == null)) {
                throw new CliException("kubeconfig " + file + ": user \"" + userName + "\" has neither a token nor a"
                        + " client certificate with its key; trustgate report supports those two (exec and auth-provider"
                        + " plugins are not run: use a token, e.g. from kubectl create token)");
            }
            byte[] ca = bytes(file, cluster, "certificate-authority-data", "certificate-authority");
            KeyManager[] keys = token == null ? clientKeys(clientCert, clientKey, userName) : null;
            HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
            if (ca != null || keys != null) {
                http.sslContext(context(ca, keys));
            }
            return new Cluster(cluster.path("server").asText(), http.build(), token);
        }

        /** The bytes of {@code dataField} (base64) or of the file {@code fileField} names (relative to the config). */
        private static byte[] bytes(Path config, JsonNode node, String dataField, String fileField) throws IOException {
            if (node.has(dataField)) {
                try {
                    return Base64.getDecoder().decode(node.path(dataField).asText());
                } catch (IllegalArgumentException e) {
                    throw new CliException("kubeconfig " + config + ": " + dataField + " is not base64");
                }
            }
            if (node.has(fileField)) {
                Path f = config.resolveSibling(node.path(fileField).asText());
                if (Files.size(f) > MAX_KUBECONFIG_BYTES) {
                    throw new CliException("kubeconfig " + config + ": " + fileField + " " + f + " is too large");
                }
                return Files.readAllBytes(f);
            }
            return null;
        }

        /** Key managers presenting the client certificate (PEM chain) with its key (PKCS#1, SEC1 or PKCS#8 PEM). */
        private static KeyManager[] clientKeys(byte[] certPem, byte[] keyPem, String userName) {
            try {
                List<? extends Certificate> chain = List.copyOf(CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(certPem)));
                if (chain.isEmpty()) {
                    throw new CliException("kubeconfig: user \"" + userName + "\": the client certificate is empty");
                }
                PrivateKey key = privateKey(keyPem, userName);
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                char[] none = new char[0];
                store.setKeyEntry("client", key, none, chain.toArray(Certificate[]::new));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, none);
                return kmf.getKeyManagers();
            } catch (GeneralSecurityException | IOException e) {
                throw new CliException("kubeconfig: user \"" + userName + "\": the client certificate does not parse ("
                        + e.getClass().getSimpleName() + ")");
            }
        }

        private static JsonNode named(JsonNode config, String list, String name, String field) {
            for (JsonNode n : config.path(list)) {
                if (n.path("name").asText().equals(name)) {
                    return n.path(field);
                }
            }
            throw new CliException("kubeconfig: no " + list + " entry named \"" + name + "\"");
        }

        /** An unencrypted PEM private key: PKCS#1 (RSA), SEC1 (EC) or PKCS#8. Its content is never quoted. */
        private static PrivateKey privateKey(byte[] keyPem, String userName) {
            CliException notAKey = new CliException("kubeconfig: user \"" + userName + "\": the client key is not an"
                    + " unencrypted PEM private key (RSA, EC or PKCS#8)");
            try (PEMParser pem =
                    new PEMParser(new java.io.StringReader(new String(keyPem, StandardCharsets.US_ASCII)))) {
                Object o = pem.readObject();
                JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                throw notAKey;
            } catch (IOException | RuntimeException e) {
                throw notAKey; // a parse error may quote the input: say only what was expected
            }
        }

        /** TLS trusting the kubeconfig's CA (the JDK's CAs when null), presenting {@code keys} when not null. */
        private static SSLContext context(byte[] pem, KeyManager[] keys) {
            try {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                if (pem == null) {
                    tmf.init((KeyStore) null);
                } else {
                    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
                    trust.load(null, null);
                    int i = 0;
                    for (Certificate c : CertificateFactory.getInstance("X.509")
                            .generateCertificates(new ByteArrayInputStream(pem))) {
                        trust.setCertificateEntry("ca-" + i++, c);
                    }
                    tmf.init(trust);
                }
                SSLContext ssl = SSLContext.getInstance("TLS");
                ssl.init(keys, tmf.getTrustManagers(), null);
                return ssl;
            } catch (GeneralSecurityException | IOException e) {
                throw new CliException("kubeconfig: the certificate authority does not parse: " + e.getMessage());
            }
        }

        JsonNode get(String path) throws IOException {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(server + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Accept", "application/json");
            if (token != null) {
                builder.header("Authorization", "Bearer " + token);
            }
            HttpRequest req = builder.build();
            HttpResponse<InputStream> res;
            try {
                res = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted");
            }
            try (InputStream body = res.body()) {
                if (res.statusCode() == 404) {
                    throw new CliException("the cluster has no PolicyReports (wgpolicyk8s.io/v1alpha2): install"
                            + " trustgate's chart with reports.installCrds=true, or Kyverno / Policy Reporter");
                }
                if (res.statusCode() != 200) {
                    throw new CliException("GET " + path + " answered HTTP " + res.statusCode());
                }
                long declared = res.headers().firstValueAsLong("Content-Length").orElse(-1);
                if (declared > MAX_RESPONSE_BYTES) {
                    throw tooLarge(declared + " bytes declared");
                }
                // Read at most one byte over the cap: an endless or oversized answer ends here, not in the heap.
                byte[] bytes = body.readNBytes(MAX_RESPONSE_BYTES + 1);
                if (bytes.length > MAX_RESPONSE_BYTES) {
                    throw tooLarge("more than that sent");
                }
                return JSON.readTree(bytes);
            }
        }

        private static CliException tooLarge(String what) {
            return new CliException("the API server's answer is larger than " + MAX_RESPONSE_BYTES + " bytes ("
                    + what + "; reading stopped at the cap): the reports are too many to list at once; use"
                    + " --namespace");
        }
    }
}
