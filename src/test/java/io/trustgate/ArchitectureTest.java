package io.trustgate;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.trustgate.cache.Caffeines;
import io.trustgate.k8s.PolicyCompiler;
import io.trustgate.k8s.SecretPullCredentials;
import io.trustgate.policy.Policy;
import io.trustgate.policy.Signer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The verification core is plain Java + Bouncy Castle + Jackson, usable by the CLI and tests without a server. */
class ArchitectureTest {

    private static final String[] CORE = {
        "io.trustgate.image..",
        "io.trustgate.policy..",
        "io.trustgate.pgp..",
        "io.trustgate.cosign..",
        "io.trustgate.tuf..",
        "io.trustgate.notary..",
        "io.trustgate.registry..",
        "io.trustgate.lookaside..",
        "io.trustgate.verify..",
        "io.trustgate.admission..",
        "io.trustgate.recheck..",
    };

    /** Imported once for all rules: importing is the slow part. */
    private static final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("io.trustgate");

    @Test
    @DisplayName("the verification core imports no Quarkus, Fabric8, Vert.x or JAX-RS")
    void coreIsFrameworkFree() {
        noClasses()
                .that()
                .resideInAnyPackage(CORE)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.quarkus..",
                        "io.fabric8..",
                        "io.vertx..",
                        "io.smallrye..",
                        "jakarta..",
                        "org.jboss..",
                        "io.micrometer..")
                .check(classes);
    }

    @Test
    @DisplayName(
            "the verifier stack, the configuration and the CLI use no Quarkus, CDI or metrics library: the CLI jar runs without them")
    void runtimeAndCliAreFrameworkFree() {
        noClasses()
                .that()
                .resideInAnyPackage("io.trustgate.runtime..", "io.trustgate.config..", "io.trustgate.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.quarkus..",
                        "io.smallrye..",
                        "jakarta..",
                        "org.jboss..",
                        "io.micrometer..",
                        "io.trustgate.webhook..")
                .check(classes);
    }

    @Test
    @DisplayName("the core does not reach into the adapters")
    void coreDoesNotDependOnAdapters() {
        noClasses()
                .that()
                .resideInAnyPackage(CORE)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.trustgate.webhook..",
                        "io.trustgate.k8s..",
                        "io.trustgate.transport..",
                        "io.trustgate.cli..")
                .check(classes);
    }

    @ParameterizedTest(name = "{0} depends only on {1}")
    @DisplayName("the verification libraries depend on nothing but what they must")
    @CsvSource(
            delimiter = '|',
            value = {
                "io.trustgate.image..|java.., javax..",
                "io.trustgate.pgp..|java.., javax.., org.bouncycastle.., com.fasterxml.jackson.., io.trustgate.image..",
                "io.trustgate.cosign..|java.., javax.., com.fasterxml.jackson.., io.trustgate.image.., io.trustgate.pgp.., dev.sigstore.., com.google.protobuf.., com.google.re2j.., org.bouncycastle..",
                "io.trustgate.tuf..|java.., javax.., org.bouncycastle.., com.fasterxml.jackson..",
                "io.trustgate.notary..|java.., javax.., org.bouncycastle.., com.fasterxml.jackson.., io.trustgate.tuf.., io.trustgate.image..",
                "io.trustgate.registry..|java.., javax.., com.fasterxml.jackson.., io.trustgate.image..",
                "io.trustgate.lookaside..|java.., javax.., io.trustgate.image..",
            })
    void librariesStayNarrow(String pkg, String allowed) {
        String[] packages = (pkg + ", " + allowed).split(",\\s*");
        classes()
                .that()
                .resideInAPackage(pkg)
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(packages)
                .check(classes);
    }

    @Test
    @DisplayName("production code makes a Policy or a Signer in one place, the policy compiler; the warm-up uses the"
            + " builders")
    void policiesAreMadeInOnePlace() {
        noClasses()
                .that()
                .doNotBelongToAnyOf(Policy.class, Signer.class, PolicyCompiler.class)
                .should()
                .callConstructorWhere(target(owner(type(Policy.class))))
                .orShould()
                .callConstructorWhere(target(owner(type(Signer.class))))
                .check(classes);
    }

    @Test
    @DisplayName(
            "caches are built by Caffeines (upkeep on the calling thread); only the blocking Secret lookups pass an"
                    + " executor of their own")
    void cachesAreBuiltInOnePlace() {
        noClasses()
                .that()
                .doNotBelongToAnyOf(Caffeines.class, SecretPullCredentials.class)
                .should()
                .callMethod(Caffeine.class, "newBuilder")
                .check(classes);
    }
}
