package io.trustgate.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.trustgate.image.ImageReference;
import io.trustgate.k8s.crd.ClusterTrustPolicy;
import io.trustgate.k8s.crd.ExceptionsSpec;
import io.trustgate.k8s.crd.SignerSpec;
import io.trustgate.k8s.crd.TrustException;
import io.trustgate.k8s.crd.TrustExceptionSpec;
import io.trustgate.policy.Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What a TrustException's status says (Invalid, Expired, Active with notes) at a pinned instant, and spec.exceptions. */
class ExceptionStatusTest {

    private static final String CREATED = "2026-11-01T10:00:00Z";
    private static final ExceptionCompiler COMPILER = new ExceptionCompiler(Duration.ofDays(30));

    private static TrustException exception(List<String> policies, String expires) {
        TrustException e = new TrustException();
        e.setMetadata(new ObjectMetaBuilder()
                .withName("hotfix")
                .withNamespace("team")
                .withCreationTimestamp(CREATED)
                .build());
        TrustExceptionSpec spec = new TrustExceptionSpec();
        spec.images = List.of("r.example.com/team/**");
        spec.policies = policies;
        spec.reason = "INC-1";
        spec.expires = expires;
        e.setSpec(spec);
        return e;
    }

    private static Policy ctp(String name, ExceptionsSpec exceptions) {
        ClusterTrustPolicy c = new ClusterTrustPolicy();
        c.setMetadata(new ObjectMetaBuilder().withName(name).build());
        c.setSpec(new io.trustgate.k8s.crd.ClusterTrustPolicySpec());
        c.getSpec().images = List.of("r.example.com/**");
        c.getSpec().lookaside = "https://s.example.com";
        SignerSpec s = new SignerSpec();
        s.name = "release";
        s.keys = List.of("ab".repeat(32));
        c.getSpec().signers = List.of(s);
        c.getSpec().notary = new io.trustgate.k8s.crd.NotarySpec();
        c.getSpec().notary.rootKeys = List.of("cd".repeat(32));
        c.getSpec().exceptions = exceptions;
        PolicyCompiler.Result r =
                new PolicyCompiler(PolicyCompiler.SecretLookup.NONE, "trustgate", (n, k) -> {}).compile(c);
        assertThat(r.ok()).as(String.valueOf(r.broken())).isTrue();
        return r.policy();
    }

    @Test
    @DisplayName("Active until the expiry, then Expired; the status carries the expiry")
    void activeThenExpired() {
        ExceptionCompiler.Result r = COMPILER.compile(exception(List.of("prod"), "2026-11-02T10:00:00Z"));
        ExceptionsSpec allow = new ExceptionsSpec();
        allow.allow = true;
        List<Policy> policies = List.of(ctp("prod", allow));
        ExceptionStatus.State active = ExceptionStatus.state(r, policies, Instant.parse("2026-11-02T09:59:59Z"));
        assertThat(active.ready()).isTrue();
        assertThat(active.reason()).isEqualTo("Active");
        assertThat(active.message())
                .isEqualTo("exempts 1 image entries from [prod] in team until 2026-11-02T10:00:00Z (reason: INC-1)");
        assertThat(active.expires()).isEqualTo(Instant.parse("2026-11-02T10:00:00Z"));
        ExceptionStatus.State expired = ExceptionStatus.state(r, policies, Instant.parse("2026-11-02T10:00:00Z"));
        assertThat(expired.ready()).isFalse();
        assertThat(expired.reason()).isEqualTo("Expired");
        assertThat(expired.message()).startsWith("expired at 2026-11-02T10:00:00Z");
    }

    @Test
    @DisplayName("Invalid when beyond the cap, and Active with a note for each named policy it cannot waive")
    void invalidAndNotes() {
        ExceptionStatus.State invalid = ExceptionStatus.state(
                COMPILER.compile(exception(List.of("prod"), "2026-12-24T10:00:00Z")),
                List.of(),
                Instant.parse(CREATED));
        assertThat(invalid.reason()).isEqualTo("Invalid");
        assertThat(invalid.message()).contains("more than the 30d").endsWith("the exception never applies");

        ExceptionsSpec short1 = new ExceptionsSpec();
        short1.allow = true;
        short1.maxDuration = "12h";
        ExceptionStatus.State notes = ExceptionStatus.state(
                COMPILER.compile(exception(List.of("closed", "short", "missing"), "2026-11-02T10:00:00Z")),
                List.of(ctp("closed", null), ctp("short", short1)),
                Instant.parse(CREATED));
        assertThat(notes.reason()).isEqualTo("Active");
        assertThat(notes.message())
                .contains("ClusterTrustPolicy/closed is not waived: it does not allow exceptions")
                .contains("ClusterTrustPolicy/short is not waived: it allows exceptions of at most 12h")
                .contains("\"missing\" names no loaded policy");
    }

    @Test
    @DisplayName("spec.exceptions compiles to the policy's rule; absent means no exception applies; a zero "
            + "maxDuration breaks the policy")
    void policyRule() {
        assertThat(ctp("p", null).exemptions().allowed()).isFalse();
        ExceptionsSpec week = new ExceptionsSpec();
        week.allow = true;
        week.maxDuration = "7d";
        assertThat(ctp("p", week).exemptions().maxDuration()).isEqualTo(Duration.ofDays(7));
        ClusterTrustPolicy c = new ClusterTrustPolicy();
        c.setMetadata(new ObjectMetaBuilder().withName("zero").build());
        c.setSpec(new io.trustgate.k8s.crd.ClusterTrustPolicySpec());
        c.getSpec().images = List.of("r.example.com/**");
        c.getSpec().exceptions = new ExceptionsSpec();
        c.getSpec().exceptions.maxDuration = "0h";
        SignerSpec s = new SignerSpec();
        s.name = "release";
        s.keys = List.of("ab".repeat(32));
        c.getSpec().signers = List.of(s);
        c.getSpec().notary = new io.trustgate.k8s.crd.NotarySpec();
        c.getSpec().notary.rootKeys = List.of("cd".repeat(32));
        PolicyCompiler.Result r =
                new PolicyCompiler(PolicyCompiler.SecretLookup.NONE, "trustgate", (n, k) -> {}).compile(c);
        assertThat(r.ok()).isFalse();
        assertThat(r.broken().error()).contains("exceptions.maxDuration must be above zero");
    }

    @Test
    @DisplayName("the example in policies/examples compiles (created a day before its expiry) and names its images")
    void exampleCompiles() throws Exception {
        TrustException example = Serialization.unmarshal(
                Files.readString(Path.of("policies/examples/trustexception.yaml")), TrustException.class);
        Instant expires = Instant.parse(example.getSpec().expires);
        example.getMetadata()
                .setCreationTimestamp(expires.minus(Duration.ofDays(1)).toString());
        ExceptionCompiler.Result r = COMPILER.compile(example);
        assertThat(r.ok()).as(String.valueOf(r.error())).isTrue();
        assertThat(r.exemption().matches(ImageReference.parse("registry.example.com/vendor/agent:4.2.7")))
                .isTrue();
        assertThat(r.exemption().matches(ImageReference.parse("registry.example.com/vendor/agent:4.3.0")))
                .isFalse();
    }
}
