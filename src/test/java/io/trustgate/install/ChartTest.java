package io.trustgate.install;

import static io.trustgate.testing.ChartRenderer.documents;
import static io.trustgate.testing.ChartRenderer.find;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.LintResult;
import io.trustgate.config.Setting;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.testing.ChartRenderer;
import io.trustgate.testing.Proc;
import io.trustgate.testing.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Helm chart: lint, render with defaults and with every option, and the promises of issue 4/4. */
class ChartTest {

    private static final Map<String, Object> ALL_OPTIONS = Map.of(
            "certificates", Map.of("source", "certManager"),
            "metrics", Map.of("serviceMonitor", Map.of("enabled", true)),
            "networkPolicy", Map.of("enabled", true));

    private static List<JsonNode> defaults() {
        return documents(ChartRenderer.template("trustgate", "trustgate", Map.of()));
    }

    @Test
    @DisplayName("helm lint --strict is clean with the default values")
    void lintDefaults() {
        LintResult result = ChartRenderer.lint(Map.of());
        assertThat(result.isFailed())
                .as(String.join("\n", result.getMessages()))
                .isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    @DisplayName("helm lint --strict is clean with cert-manager, ServiceMonitor and NetworkPolicy turned on")
    void lintAllOptions() {
        LintResult result = ChartRenderer.lint(ALL_OPTIONS);
        assertThat(result.isFailed())
                .as(String.join("\n", result.getMessages()))
                .isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    @DisplayName("the Deployment runs 3 non-root replicas with a read-only root, resources, anti-affinity and a PDB")
    void deploymentIsHardened() {
        List<JsonNode> docs = defaults();
        JsonNode deploy = find(docs, "Deployment", "trustgate").orElseThrow();
        assertThat(deploy.at("/spec/replicas").asInt()).isEqualTo(3);
        JsonNode pod = deploy.at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at(
                                "/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/0/podAffinityTerm/topologyKey")
                        .asText())
                .isEqualTo("kubernetes.io/hostname");
        JsonNode container = pod.at("/containers/0");
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean())
                .isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean())
                .isFalse();
        assertThat(container.at("/resources/requests/memory").asText()).isNotEmpty();
        assertThat(container.at("/resources/limits/memory").asText()).isNotEmpty();
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(find(docs, "PodDisruptionBudget", "trustgate")
                        .orElseThrow()
                        .at("/spec/minAvailable")
                        .asInt())
                .isEqualTo(1);
        assertThat(find(docs, "ServiceAccount", "trustgate")
                        .orElseThrow()
                        .path("automountServiceAccountToken")
                        .asBoolean(true))
                .as("no token for other pods of the account")
                .isFalse();
    }

    @Test
    @DisplayName(
            "the JVM fits the container: serial GC, an explicit heap of at most 40% of the memory limit, capped metaspace"
                    + " and code cache, exit on OOM, tiered compilation; memory request 256Mi, limit 320Mi")
    void jvmFlagsFitTheMemoryLimit() {
        JsonNode container =
                find(defaults(), "Deployment", "trustgate").orElseThrow().at("/spec/template/spec/containers/0");
        List<String> flags = List.of(javaToolOptions(container).split(" "));
        assertThat(container.at("/resources/limits/memory").asText()).isEqualTo("320Mi");
        assertThat(container.at("/resources/requests/memory").asText()).isEqualTo("256Mi");
        assertThat(flags)
                .contains("-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError")
                .anyMatch(f -> f.startsWith("-XX:MaxMetaspaceSize="))
                .anyMatch(f -> f.startsWith("-XX:ReservedCodeCacheSize="))
                .noneMatch(f -> f.startsWith("-XX:TieredStopAtLevel"))
                // C2 for the warm path only: a new image's code stays at C1 (docs/configuration.md)
                .contains("-XX:Tier4InvocationThreshold=50000", "-XX:Tier4CompileThreshold=150000")
                .noneMatch(f -> f.contains("RAMPercentage"));
        long heapMiB = flags.stream()
                .filter(f -> f.startsWith("-Xmx"))
                .map(f -> Long.parseLong(f.substring(4, f.length() - 1)))
                .findFirst()
                .orElseThrow();
        assertThat(heapMiB)
                .as("-Xmx in MiB: at most 40% of the 320 MiB limit (non-heap measured at 100-130 MiB)")
                .isBetween(64L, 128L);
    }

    @Test
    @DisplayName("make run and make image use the chart's JVM flags: scripts/jvm-options.sh prints JAVA_TOOL_OPTIONS")
    void makeRunUsesTheChartsFlags() throws Exception {
        JsonNode container =
                find(defaults(), "Deployment", "trustgate").orElseThrow().at("/spec/template/spec/containers/0");
        String expected = javaToolOptions(container);
        assertThat(Proc.cmd("scripts/jvm-options.sh").run().stdout().strip()).isEqualTo(expected);
        assertThat(Proc.cmd("scripts/jvm-options.sh", "--comma").run().stdout().strip())
                .isEqualTo(expected.replace(' ', ','));
        assertThat(Files.readString(Path.of("Makefile")))
                .contains("TRUSTGATE_JAVA_OPTS ?= $(shell scripts/jvm-options.sh)");
        assertThat(Files.readString(Path.of("scripts/build-image.sh")))
                .contains("JAVA_TOOL_OPTIONS=$(scripts/jvm-options.sh)");
    }

    private static String javaToolOptions(JsonNode container) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals("JAVA_TOOL_OPTIONS")) {
                return e.path("value").asText();
            }
        }
        throw new AssertionError("no JAVA_TOOL_OPTIONS in " + container.path("env"));
    }

    private static List<String> grants(JsonNode role) {
        List<String> grants = new ArrayList<>();
        for (JsonNode rule : role.path("rules")) {
            for (JsonNode res : rule.path("resources")) {
                for (JsonNode verb : rule.path("verbs")) {
                    grants.add(res.asText() + ":" + verb.asText());
                }
            }
        }
        return grants;
    }

    private static String env(List<JsonNode> docs, String name) {
        for (JsonNode e : find(docs, "Deployment", null).orElseThrow().at("/spec/template/spec/containers/0/env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText();
            }
        }
        return null;
    }

    @Test
    @DisplayName(
            "RBAC grants only list/watch of policies, exceptions and namespaces, get of Secrets and ServiceAccounts, status writes, Event creation, list/watch of Secrets in trustgate's own namespace and its one state ConfigMap; the recheck reads Pods (and gets the ReplicaSets and Jobs that own them), writes PolicyReports and its one Lease")
    void rbacIsLeastPrivilege() {
        List<String> grants =
                grants(find(defaults(), "ClusterRole", "trustgate").orElseThrow());
        assertThat(grants)
                .containsExactlyInAnyOrder(
                        "trustpolicies:get",
                        "trustpolicies:list",
                        "trustpolicies:watch",
                        "clustertrustpolicies:get",
                        "clustertrustpolicies:list",
                        "clustertrustpolicies:watch",
                        "trustpolicies/status:get",
                        "trustpolicies/status:update",
                        "trustpolicies/status:patch",
                        "clustertrustpolicies/status:get",
                        "clustertrustpolicies/status:update",
                        "clustertrustpolicies/status:patch",
                        "trustexceptions:get",
                        "trustexceptions:list",
                        "trustexceptions:watch",
                        "trustexceptions/status:get",
                        "trustexceptions/status:update",
                        "trustexceptions/status:patch",
                        "events:create",
                        "namespaces:get",
                        "namespaces:list",
                        "namespaces:watch",
                        "secrets:get",
                        "serviceaccounts:get",
                        "pods:list",
                        "pods:watch",
                        "replicasets:get",
                        "jobs:get",
                        "policyreports:get",
                        "policyreports:create",
                        "policyreports:patch");
        JsonNode keys = find(defaults(), "Role", "trustgate-keys").orElseThrow();
        assertThat(keys.at("/metadata/namespace").asText())
                .as("only trustgate's own namespace")
                .isNotBlank();
        assertThat(keys.path("rules")).hasSize(4);
        assertThat(keys.path("rules").get(2).path("resources").toString()).isEqualTo("[\"leases\"]");
        assertThat(keys.path("rules").get(2).path("verbs").toString()).isEqualTo("[\"create\"]");
        assertThat(keys.path("rules").get(3).path("resourceNames").toString())
                .as("get and update only the recheck's own Lease")
                .isEqualTo("[\"trustgate-recheck\"]");
        assertThat(keys.path("rules").get(3).path("verbs").toString()).isEqualTo("[\"get\",\"update\",\"patch\"]");
        assertThat(env(defaults(), "TRUSTGATE_RECHECK_LEASE")).isEqualTo("trustgate-recheck");
        assertThat(keys.path("rules").get(0).path("resources").toString()).isEqualTo("[\"secrets\"]");
        assertThat(keys.path("rules").get(0).path("verbs").toString()).isEqualTo("[\"get\",\"list\",\"watch\"]");
        JsonNode state = keys.path("rules").get(1);
        assertThat(state.path("resources").toString()).isEqualTo("[\"configmaps\"]");
        assertThat(state.path("resourceNames").toString())
                .as("only the state ConfigMap")
                .isEqualTo("[\"trustgate-notary-versions\"]");
        assertThat(state.path("verbs").toString()).isEqualTo("[\"get\",\"list\",\"watch\",\"update\"]");
        assertThat(find(defaults(), "RoleBinding", "trustgate-keys")).isPresent();
        assertThat(find(defaults(), "ConfigMap", "trustgate-notary-versions")
                        .orElseThrow()
                        .has("data"))
                .as("the chart creates the state ConfigMap but never writes (or, on upgrade, resets) its data")
                .isFalse();
        assertThat(env(defaults(), "TRUSTGATE_STATE_CONFIG_MAP")).isEqualTo("trustgate-notary-versions");
        assertThat(env(defaults(), "TRUSTGATE_POD_PULL_SECRETS")).isEqualTo("true");
    }

    @Test
    @DisplayName("the exception editor may write TrustExceptions only and the policy editor policies only; neither is "
            + "aggregated into the built-in roles, and rbac.editorRoles=false ships neither")
    void editorRolesAreSeparate() {
        List<JsonNode> docs = defaults();
        JsonNode exceptionEditor =
                find(docs, "ClusterRole", "trustgate-exception-editor").orElseThrow();
        JsonNode policyEditor =
                find(docs, "ClusterRole", "trustgate-policy-editor").orElseThrow();
        List<String> exceptionGrants = grants(exceptionEditor);
        assertThat(exceptionGrants)
                .containsExactlyInAnyOrder(
                        "trustexceptions:get",
                        "trustexceptions:list",
                        "trustexceptions:watch",
                        "trustexceptions:create",
                        "trustexceptions:update",
                        "trustexceptions:patch",
                        "trustexceptions:delete",
                        "trustpolicies:get",
                        "trustpolicies:list",
                        "trustpolicies:watch",
                        "clustertrustpolicies:get",
                        "clustertrustpolicies:list",
                        "clustertrustpolicies:watch");
        assertThat(grants(policyEditor))
                .contains("trustpolicies:create", "clustertrustpolicies:update", "trustpolicies:delete")
                .noneMatch(g -> g.startsWith("trustexceptions"));
        for (JsonNode role : List.of(exceptionEditor, policyEditor)) {
            assertThat(role.path("metadata").path("labels").toString())
                    .as("not aggregated into admin/edit/view")
                    .doesNotContain("aggregate-to");
            assertThat(role.has("aggregationRule")).isFalse();
            for (JsonNode rule : role.path("rules")) {
                assertThat(rule.path("apiGroups").toString()).isEqualTo("[\"trustgate.io\"]");
                assertThat(rule.path("resources").toString()).doesNotContain("/status");
            }
        }
        List<JsonNode> without = documents(
                ChartRenderer.template("trustgate", "trustgate", Map.of("rbac", Map.of("editorRoles", false))));
        assertThat(find(without, "ClusterRole", "trustgate-exception-editor")).isEmpty();
        assertThat(find(without, "ClusterRole", "trustgate-policy-editor")).isEmpty();
        assertThat(find(without, "ClusterRole", "trustgate")).isPresent();
    }

    @Test
    @DisplayName(
            "exceptions.maxDuration sets TRUSTGATE_EXCEPTIONS_MAX_DURATION: 30d by default (the setting's own default), and a value the setting accepts")
    void exceptionCap() {
        assertThat(env(defaults(), Setting.EXCEPTIONS_MAX_DURATION.env()))
                .isEqualTo(Setting.EXCEPTIONS_MAX_DURATION.defaultValue())
                .isEqualTo("30d");
        List<JsonNode> week = documents(
                ChartRenderer.template("trustgate", "trustgate", Map.of("exceptions", Map.of("maxDuration", "7d"))));
        String value = env(week, Setting.EXCEPTIONS_MAX_DURATION.env());
        assertThat(value).isEqualTo("7d");
        assertThat(TrustgateSettings.fromEnvironment(Map.of(Setting.EXCEPTIONS_MAX_DURATION.env(), value))
                        .value(Setting.EXCEPTIONS_MAX_DURATION))
                .contains(java.time.Duration.ofDays(7));
    }

    @Test
    @DisplayName(
            "recheck.interval=0s drops the Pod and Lease rules; reports.installCrds installs the PolicyReport CRDs; metrics.prometheusRule adds both alerts")
    void recheckReportsAndAlerts() {
        List<JsonNode> off = documents(
                ChartRenderer.template("trustgate", "trustgate", Map.of("recheck", Map.of("interval", "0s"))));
        assertThat(grants(find(off, "ClusterRole", "trustgate").orElseThrow()))
                .doesNotContain("pods:list", "pods:watch", "replicasets:get", "jobs:get", "policyreports:create")
                .contains("events:create");
        assertThat(find(off, "Role", "trustgate-keys").orElseThrow().path("rules"))
                .hasSize(2);
        assertThat(env(off, "TRUSTGATE_RECHECK_INTERVAL")).isEqualTo("0s");

        assertThat(find(defaults(), "CustomResourceDefinition", "policyreports.wgpolicyk8s.io"))
                .hasValueSatisfying(crd -> assertThat(crd.at("/metadata/annotations/helm.sh~1resource-policy")
                                .asText())
                        .isEqualTo("keep"));
        assertThat(find(defaults(), "CustomResourceDefinition", "clusterpolicyreports.wgpolicyk8s.io"))
                .isPresent();
        List<JsonNode> noCrds = documents(
                ChartRenderer.template("trustgate", "trustgate", Map.of("reports", Map.of("installCrds", false))));
        assertThat(find(noCrds, "CustomResourceDefinition", "policyreports.wgpolicyk8s.io"))
                .isEmpty();
        assertThat(find(defaults(), "PrometheusRule", "trustgate")).isEmpty();

        List<JsonNode> alerts = documents(ChartRenderer.template(
                "trustgate", "trustgate", Map.of("metrics", Map.of("prometheusRule", Map.of("enabled", true)))));
        JsonNode rules =
                find(alerts, "PrometheusRule", "trustgate").orElseThrow().at("/spec/groups/0/rules");
        assertThat(rules.findValuesAsText("alert"))
                .containsExactly("TrustgateRunningUnverifiedImages", "TrustgateTrustDataExpiring");
        assertThat(rules.get(0).path("expr").asText()).contains("trustgate_running_workloads{verdict=\"fail\"}");
        assertThat(rules.get(1).path("expr").asText())
                .contains("trustgate_running_trust_expiry_timestamp_seconds")
                .contains("604800");
    }

    @Test
    @DisplayName(
            "podPullSecrets.enabled=false drops the cluster-wide Secret and ServiceAccount rule and tells trustgate")
    void podPullSecretsOff() {
        List<JsonNode> docs = documents(
                ChartRenderer.template("trustgate", "trustgate", Map.of("podPullSecrets", Map.of("enabled", false))));
        assertThat(grants(find(docs, "ClusterRole", "trustgate").orElseThrow()))
                .noneMatch(g -> g.startsWith("secrets:") || g.startsWith("serviceaccounts:"))
                .contains("clustertrustpolicies:watch", "namespaces:watch");
        assertThat(grants(find(docs, "Role", "trustgate-keys").orElseThrow()))
                .as("keysFrom Secrets in trustgate's own namespace stay readable")
                .contains("secrets:get", "secrets:watch");
        assertThat(env(docs, "TRUSTGATE_POD_PULL_SECRETS")).isEqualTo("false");
        LintResult lint = ChartRenderer.lint(Map.of("podPullSecrets", Map.of("enabled", false)));
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    @DisplayName(
            "the webhook fails closed, covers Pods, ephemeral containers and every workload kind, and skips kube-system, its own and ignored namespaces")
    void webhookConfiguration() {
        List<JsonNode> docs = defaults();
        JsonNode hook = find(docs, "ValidatingWebhookConfiguration", "trustgate")
                .orElseThrow()
                .at("/webhooks/0");
        assertThat(hook.path("failurePolicy").asText()).isEqualTo("Fail");
        assertThat(hook.path("timeoutSeconds").asInt()).isEqualTo(10);
        assertThat(hook.path("sideEffects").asText()).isEqualTo("None");
        assertThat(hook.path("admissionReviewVersions").toString()).isEqualTo("[\"v1\"]");
        List<String> resources = new ArrayList<>();
        for (JsonNode rule : hook.path("rules")) {
            assertThat(rule.path("operations").toString()).isEqualTo("[\"CREATE\",\"UPDATE\"]");
            rule.path("resources").forEach(r -> resources.add(r.asText()));
        }
        assertThat(resources)
                .containsExactlyInAnyOrder(
                        "pods",
                        "pods/ephemeralcontainers",
                        "replicationcontrollers",
                        "deployments",
                        "replicasets",
                        "statefulsets",
                        "daemonsets",
                        "jobs",
                        "cronjobs");
        JsonNode exprs = hook.at("/namespaceSelector/matchExpressions");
        assertThat(exprs.get(0).path("values").toString()).contains("\"kube-system\"", "\"trustgate\"");
        assertThat(exprs.get(1).path("key").asText()).isEqualTo("trustgate.io/ignore");
        assertThat(exprs.get(1).path("operator").asText()).isEqualTo("NotIn");
        assertThat(hook.at("/clientConfig/service/path").asText()).isEqualTo("/validate");
        // The generated CA signs the serving certificate the Secret holds, and is the caBundle.
        JsonNode secret = find(docs, "Secret", "trustgate-tls").orElseThrow();
        assertThat(hook.at("/clientConfig/caBundle").asText())
                .isEqualTo(secret.at("/data/ca.crt").asText())
                .isNotEmpty();
    }

    @Test
    @DisplayName(
            "with cert-manager, ServiceMonitor and NetworkPolicy on, their resources render and no certificate is generated")
    void allOptions() {
        List<JsonNode> docs = documents(ChartRenderer.template("tg", "security", ALL_OPTIONS));
        assertThat(find(docs, "Certificate", "tg-trustgate")
                        .orElseThrow()
                        .at("/spec/dnsNames")
                        .toString())
                .contains("tg-trustgate.security.svc");
        assertThat(find(docs, "Issuer", "tg-trustgate-ca")).isPresent();
        assertThat(find(docs, "Secret", null))
                .as("cert-manager writes the Secret")
                .isEmpty();
        JsonNode hook =
                find(docs, "ValidatingWebhookConfiguration", "tg-trustgate").orElseThrow();
        assertThat(hook.at("/metadata/annotations/cert-manager.io~1inject-ca-from")
                        .asText())
                .isEqualTo("security/tg-trustgate");
        assertThat(hook.at("/webhooks/0/clientConfig/caBundle").isMissingNode()).isTrue();
        assertThat(find(docs, "ServiceMonitor", "tg-trustgate")
                        .orElseThrow()
                        .at("/spec/endpoints/0/path")
                        .asText())
                .isEqualTo("/q/metrics");
        JsonNode netpol = find(docs, "NetworkPolicy", "tg-trustgate").orElseThrow();
        assertThat(netpol.at("/spec/policyTypes").toString()).contains("Ingress", "Egress");
        assertThat(hook.at("/webhooks/0/namespaceSelector/matchExpressions/0/values")
                        .toString())
                .contains("\"security\"");
    }

    @Test
    @DisplayName("an external webhook URL replaces the Service, with a caBundle from the values")
    void externalUrl() {
        List<JsonNode> docs = documents(ChartRenderer.template(
                "trustgate",
                "trustgate",
                Map.of(
                        "webhook", Map.of("url", "https://127.0.0.1:9443/validate"),
                        "certificates", Map.of("source", "secret", "existingSecret", "mine", "caBundle", "PEM"))));
        JsonNode cc =
                find(docs, "ValidatingWebhookConfiguration", null).orElseThrow().at("/webhooks/0/clientConfig");
        assertThat(cc.path("url").asText()).isEqualTo("https://127.0.0.1:9443/validate");
        assertThat(cc.has("service")).isFalse();
        assertThat(cc.path("caBundle").asText()).isEqualTo("UEVN");
        assertThat(find(docs, "Deployment", null)
                        .orElseThrow()
                        .at("/spec/template/spec/volumes/0/secret/secretName")
                        .asText())
                .isEqualTo("mine");
    }

    @Test
    @DisplayName(
            "the mutating webhook pins Pods by default: /mutate, reinvocationPolicy IfNeeded, and the validating webhook's rules, exclusions, failurePolicy, timeout and caBundle")
    void mutatingWebhookConfiguration() {
        List<JsonNode> docs = defaults();
        JsonNode validating = find(docs, "ValidatingWebhookConfiguration", "trustgate")
                .orElseThrow()
                .at("/webhooks/0");
        JsonNode mutating = find(docs, "MutatingWebhookConfiguration", "trustgate")
                .orElseThrow()
                .at("/webhooks/0");
        assertThat(mutating.path("name").asText()).isEqualTo("mutate.trustgate.io");
        assertThat(mutating.path("reinvocationPolicy").asText()).isEqualTo("IfNeeded");
        assertThat(mutating.at("/clientConfig/service/path").asText()).isEqualTo("/mutate");
        for (String field : List.of(
                "rules",
                "namespaceSelector",
                "failurePolicy",
                "timeoutSeconds",
                "sideEffects",
                "matchPolicy",
                "admissionReviewVersions")) {
            assertThat(mutating.path(field)).as(field).isEqualTo(validating.path(field));
        }
        assertThat(mutating.path("failurePolicy").asText()).isEqualTo("Fail");
        assertThat(mutating.at("/clientConfig/caBundle").asText())
                .isEqualTo(validating.at("/clientConfig/caBundle").asText())
                .isEqualTo(find(docs, "Secret", "trustgate-tls")
                        .orElseThrow()
                        .at("/data/ca.crt")
                        .asText());
        assertThat(env(docs, "TRUSTGATE_PIN")).isEqualTo("pods");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pods", "all", "off"})
    @DisplayName("config.pin is TRUSTGATE_PIN; with off no MutatingWebhookConfiguration is installed")
    void pinSetting(String pin) {
        List<JsonNode> docs =
                documents(ChartRenderer.template("trustgate", "trustgate", Map.of("config", Map.of("pin", pin))));
        assertThat(env(docs, "TRUSTGATE_PIN")).isEqualTo(pin);
        assertThat(find(docs, "MutatingWebhookConfiguration", "trustgate").isPresent())
                .isEqualTo(!pin.equals("off"));
        assertThat(find(docs, "ValidatingWebhookConfiguration", "trustgate")).isPresent();
    }

    @Test
    @DisplayName(
            "cert-manager injects the caBundle into the mutating webhook too; an external URL gets /mutate beside /validate")
    void mutatingWebhookCertificates() {
        JsonNode managed = find(
                        documents(ChartRenderer.template("tg", "security", ALL_OPTIONS)),
                        "MutatingWebhookConfiguration",
                        "tg-trustgate")
                .orElseThrow();
        assertThat(managed.at("/metadata/annotations/cert-manager.io~1inject-ca-from")
                        .asText())
                .isEqualTo("security/tg-trustgate");
        assertThat(managed.at("/webhooks/0/clientConfig/caBundle").isMissingNode())
                .isTrue();

        Map<String, Object> external = Map.of(
                "webhook",
                Map.of("url", "https://127.0.0.1:9443/validate"),
                "certificates",
                Map.of("source", "secret", "existingSecret", "mine", "caBundle", "PEM"));
        JsonNode cc = find(
                        documents(ChartRenderer.template("trustgate", "trustgate", external)),
                        "MutatingWebhookConfiguration",
                        null)
                .orElseThrow()
                .at("/webhooks/0/clientConfig");
        assertThat(cc.path("url").asText()).isEqualTo("https://127.0.0.1:9443/mutate");
        assertThat(cc.has("service")).isFalse();
        assertThat(cc.path("caBundle").asText()).isEqualTo("UEVN");

        Map<String, Object> explicit = Map.of(
                "webhook",
                Map.of("url", "https://tg.example.com/check", "mutateUrl", "https://tg.example.com/pin"),
                "certificates",
                Map.of("source", "secret", "existingSecret", "mine", "caBundle", "PEM"));
        assertThat(find(
                                documents(ChartRenderer.template("trustgate", "trustgate", explicit)),
                                "MutatingWebhookConfiguration",
                                null)
                        .orElseThrow()
                        .at("/webhooks/0/clientConfig/url")
                        .asText())
                .isEqualTo("https://tg.example.com/pin");
        assertThatThrownBy(() -> ChartRenderer.template(
                        "trustgate",
                        "trustgate",
                        Map.of(
                                "webhook",
                                Map.of("url", "https://tg.example.com/check"),
                                "certificates",
                                Map.of("source", "secret", "existingSecret", "mine", "caBundle", "PEM"))))
                .hasMessageContaining("webhook.mutateUrl is required");
    }

    @Test
    @DisplayName(
            "upstreamTrust renders a ConfigMap mounted as TRUSTGATE_CA_BUNDLE and a certs.d TRUSTGATE_CERTS_DIR that trustgate loads")
    void upstreamCasFromValues(@TempDir Path dir) throws Exception {
        TestCa one = TestCa.create(dir.resolve("one"));
        TestCa two = TestCa.create(dir.resolve("two"));
        String bundle = Files.readString(one.certPem());
        String host = "registry.example.com:5000";
        Map<String, Object> values = Map.of(
                "upstreamTrust", Map.of("caBundle", bundle, "hosts", Map.of(host, Files.readString(two.certPem()))));
        assertThat(ChartRenderer.lint(values).isFailed()).isFalse();
        List<JsonNode> docs = documents(ChartRenderer.template("trustgate", "trustgate", values));
        JsonNode configMap = find(docs, "ConfigMap", "trustgate-upstream-ca").orElseThrow();
        JsonNode pod = find(docs, "Deployment", "trustgate").orElseThrow().at("/spec/template/spec");
        Map<String, String> env = new java.util.HashMap<>();
        pod.at("/containers/0/env")
                .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        assertThat(env)
                .containsEntry("TRUSTGATE_CA_BUNDLE", "/etc/trustgate/upstream-ca/ca-bundle.crt")
                .containsEntry("TRUSTGATE_CERTS_DIR", "/etc/trustgate/upstream-ca/certs.d");
        JsonNode mount = stream(pod.at("/containers/0/volumeMounts"))
                .filter(m -> m.path("name").asText().equals("upstream-ca"))
                .findFirst()
                .orElseThrow();
        assertThat(mount.path("mountPath").asText()).isEqualTo("/etc/trustgate/upstream-ca");
        JsonNode volume = stream(pod.path("volumes"))
                .filter(v -> v.path("name").asText().equals("upstream-ca"))
                .findFirst()
                .orElseThrow();
        assertThat(volume.at("/configMap/name").asText()).isEqualTo("trustgate-upstream-ca");
        assertThat(find(docs, "Deployment", "trustgate")
                        .orElseThrow()
                        .at("/spec/template/metadata/annotations/checksum~1upstream-ca")
                        .asText())
                .isNotEmpty();
        // Lay the ConfigMap out as the kubelet would, and load it as trustgate does at start-up.
        Path root = dir.resolve("etc/trustgate/upstream-ca");
        for (JsonNode item : volume.at("/configMap/items")) {
            Path file = root.resolve(item.path("path").asText());
            Files.createDirectories(file.getParent());
            Files.writeString(
                    file, configMap.at("/data").path(item.path("key").asText()).asText());
        }
        TrustgateSettings settings = TrustgateSettings.fromEnvironment(Map.of(
                "TRUSTGATE_CA_BUNDLE", dir + env.get("TRUSTGATE_CA_BUNDLE"),
                "TRUSTGATE_CERTS_DIR", dir + env.get("TRUSTGATE_CERTS_DIR")));
        assertThat(settings.transport().trust().hosts()).containsExactly(host);
    }

    @Test
    @DisplayName("upstreamTrust.existing mounts your Secret's keys in the same layout, and renders no ConfigMap")
    void upstreamCasFromExistingSecret() {
        List<JsonNode> docs = documents(ChartRenderer.template(
                "trustgate",
                "trustgate",
                Map.of(
                        "upstreamTrust",
                        Map.of(
                                "existing",
                                Map.of(
                                        "kind",
                                        "Secret",
                                        "name",
                                        "my-cas",
                                        "bundleKey",
                                        "all.pem",
                                        "hostKeys",
                                        Map.of("notary.example.com", "notary.pem"))))));
        assertThat(find(docs, "ConfigMap", "trustgate-upstream-ca")).isEmpty();
        JsonNode pod = find(docs, "Deployment", "trustgate").orElseThrow().at("/spec/template/spec");
        JsonNode volume = stream(pod.path("volumes"))
                .filter(v -> v.path("name").asText().equals("upstream-ca"))
                .findFirst()
                .orElseThrow();
        assertThat(volume.at("/secret/secretName").asText()).isEqualTo("my-cas");
        assertThat(volume.at("/secret/items").toString())
                .isEqualTo("[{\"key\":\"all.pem\",\"path\":\"ca-bundle.crt\"},"
                        + "{\"key\":\"notary.pem\",\"path\":\"certs.d/notary.example.com/ca.crt\"}]");
    }

    @Test
    @DisplayName("without upstreamTrust values the Deployment mounts no CA volume and sets no CA variable")
    void noUpstreamCasByDefault() {
        JsonNode deploy = find(defaults(), "Deployment", "trustgate").orElseThrow();
        assertThat(deploy.toString())
                .doesNotContain("upstream-ca")
                .doesNotContain("TRUSTGATE_CA_BUNDLE")
                .doesNotContain("TRUSTGATE_CERTS_DIR");
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "webhook.failurePolicy=Sometimes",
                "replicaCount=0",
                "certificates.source=vault",
                "unknownKey=1",
                "config.pin=sometimes",
                "upstreamTrust.existing.kind=Vault",
                "upstreamTrust.caBundle=not-a-certificate"
            })
    @DisplayName("values.schema.json rejects invalid values")
    void schemaRejects(String assignment) {
        String[] kv = assignment.split("=", -1);
        Map<String, Object> values = nested(kv[0], kv[1].matches("\\d+") ? (Object) Integer.parseInt(kv[1]) : kv[1]);
        assertThatThrownBy(() -> ChartRenderer.template("trustgate", "trustgate", values))
                .hasMessageContaining("schema");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "trustpolicies.trustgate.io.yaml",
                "clustertrustpolicies.trustgate.io.yaml",
                "trustexceptions.trustgate.io.yaml"
            })
    @DisplayName("Chart/crds holds the same CRDs as k8s/crds")
    void chartCrdsMatch(String file) throws Exception {
        assertThat(Path.of("Chart/crds", file)).hasContent(Files.readString(Path.of("k8s/crds", file)));
        try (Stream<Path> files = Files.list(Path.of("Chart/crds"))) {
            assertThat(files.count()).isEqualTo(3);
        }
    }

    @Test
    @DisplayName("k8s/trustgate.yaml is the chart rendered with defaults (run 'make manifests' after a chart change)")
    void k8sManifestsMatchTheChart() throws Exception {
        Path committed = Path.of("k8s/trustgate.yaml");
        String fresh = K8sManifests.render();
        if (Boolean.getBoolean("trustgate.write-manifests")) {
            Files.writeString(committed, K8sManifests.masked(fresh));
        }
        assertThat(committed).exists();
        assertThat(K8sManifests.masked(Files.readString(committed))).isEqualTo(K8sManifests.masked(fresh));
    }

    private static Map<String, Object> nested(String dotted, Object value) {
        String[] parts = dotted.split("\\.", -1);
        Object v = value;
        for (int i = parts.length - 1; i >= 0; i--) {
            v = Map.of(parts[i], v);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return m;
    }
}
