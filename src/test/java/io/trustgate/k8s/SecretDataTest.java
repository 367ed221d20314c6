package io.trustgate.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SecretDataTest {

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName(
            "an API Secret and a directory manifest decode alike: data is base64, stringData wins, bad base64 is absent")
    void decodesBothShapes() throws Exception {
        SecretData api = SecretData.of(new SecretBuilder()
                .withNewMetadata()
                .withNamespace("ns")
                .withName("s")
                .endMetadata()
                .addToData("a", b64("from data"))
                .addToData("b", b64("shadowed"))
                .addToData("bad", "%%%")
                .addToStringData("b", "from stringData")
                .build());
        SecretData manifest = SecretData.of(
                new ObjectMapper(new YAMLFactory()).readTree("""
                kind: Secret
                metadata: {name: s, namespace: ns}
                data: {a: %s, b: %s, bad: "%%%%%%"}
                stringData: {b: from stringData}
                """.formatted(b64("from data"), b64("shadowed"))));
        for (SecretData s : new SecretData[] {api, manifest}) {
            assertThat(s.id()).isEqualTo("ns/s");
            assertThat(s.value("a")).contains("from data");
            assertThat(s.value("b")).contains("from stringData");
            assertThat(s.value("bad")).isEmpty();
        }
    }

    @Test
    @DisplayName("a Secret's string form names it and its keys, never a value")
    void toStringHidesValues() {
        SecretData s = SecretData.of(new SecretBuilder()
                .withNewMetadata()
                .withNamespace("ns")
                .withName("pull")
                .endMetadata()
                .addToStringData(".dockerconfigjson", "{\"auths\":{\"r\":{\"password\":\"planted-4711\"}}}")
                .build());
        assertThat(s.toString())
                .contains("ns/pull")
                .contains(".dockerconfigjson")
                .doesNotContain("planted-4711");
    }
}
