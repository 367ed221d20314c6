package io.trustgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DockerConfigCredentialsTest {

    private static byte[] json(String s) {
        return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName(".dockerconfigjson: auth (base64 user:password) is decoded, a password may hold colons")
    void authField() {
        DockerConfigCredentials c = DockerConfigCredentials.parse(
                json("{'auths':{'registry.example:5000':{'auth':'" + b64("alice:pa:ss") + "'}}}"), false);
        assertThat(c.forRegistry("registry.example:5000")).contains(new RegistryCredentials("alice", "pa:ss"));
        assertThat(c.forRegistry("other.example")).isEmpty();
    }

    @Test
    @DisplayName("username and password are used when there is no auth field")
    void usernamePassword() {
        DockerConfigCredentials c = DockerConfigCredentials.parse(
                json("{'auths':{'registry.example':{'username':'bob','password':'pw'}}}"), false);
        assertThat(c.forRegistry("registry.example")).contains(new RegistryCredentials("bob", "pw"));
    }

    @Test
    @DisplayName("legacy .dockercfg keeps the host map at the top level")
    void legacy() {
        DockerConfigCredentials c = DockerConfigCredentials.parse(
                json("{'https://registry.example/v1/':{'auth':'" + b64("carol:pw") + "','email':'c@example.test'}}"),
                true);
        assertThat(c.forRegistry("registry.example")).contains(new RegistryCredentials("carol", "pw"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://index.docker.io/v1/",
                "index.docker.io",
                "docker.io",
                "registry-1.docker.io",
                "https://registry-1.docker.io"
            })
    @DisplayName("every Docker Hub alias is found as docker.io")
    void dockerHubAliases(String key) {
        DockerConfigCredentials c = DockerConfigCredentials.parse(
                json("{'auths':{'" + key + "':{'auth':'" + b64("dave:pw") + "'}}}"), false);
        assertThat(c.forRegistry("docker.io")).contains(new RegistryCredentials("dave", "pw"));
        assertThat(c.forRegistry("index.docker.io")).contains(new RegistryCredentials("dave", "pw"));
    }

    @Test
    @DisplayName("URL keys are reduced to host:port, case-insensitively")
    void urlKeys() {
        DockerConfigCredentials c = DockerConfigCredentials.parse(
                json("{'auths':{'http://Registry.Example:5000/v2/':{'auth':'" + b64("eve:pw") + "'}}}"), false);
        assertThat(c.forRegistry("registry.example:5000")).isPresent();
        assertThat(c.forRegistry("registry.example"))
                .as("the port is part of the host")
                .isEmpty();
    }

    @Test
    @DisplayName("entries without usable credentials are skipped")
    void unusable() {
        DockerConfigCredentials c = DockerConfigCredentials.parse(
                json("{'auths':{'a.example':{},'b.example':{'auth':'" + b64("nocolon")
                        + "'},'c.example':{'identitytoken':'x'}}}"),
                false);
        assertThat(c.hosts()).isEmpty();
    }

    @Test
    @DisplayName("merge keeps this config's entry for a host both name")
    void merge() {
        DockerConfigCredentials pod =
                DockerConfigCredentials.parse(json("{'auths':{'a.example':{'username':'pod','password':'1'}}}"), false);
        DockerConfigCredentials sa = DockerConfigCredentials.parse(
                json(
                        "{'auths':{'a.example':{'username':'sa','password':'2'},'b.example':{'username':'sa','password':'3'}}}"),
                false);
        DockerConfigCredentials merged = pod.merge(sa);
        assertThat(merged.forRegistry("a.example").orElseThrow().username()).isEqualTo("pod");
        assertThat(merged.forRegistry("b.example").orElseThrow().username()).isEqualTo("sa");
    }

    @Test
    @DisplayName("malformed JSON is refused without echoing the secret's content")
    void malformed() {
        assertThatThrownBy(() -> DockerConfigCredentials.parse(json("{'auths': [ 'hunter2' ]"), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> DockerConfigCredentials.parse(json("{'auths': ['hunter2']}"), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("hunter2");
        assertThat(DockerConfigCredentials.parse(json("{}"), false).hosts()).isEmpty();
    }

    @Test
    @DisplayName("credentials never print their password")
    void noPasswordInToString() {
        assertThat(new RegistryCredentials("alice", "hunter2").toString())
                .contains("alice")
                .doesNotContain("hunter2");
        assertThat(RegistryCredentials.ANONYMOUS.isAnonymous()).isTrue();
    }
}
