package io.trustgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** make bench's translation of the chart's JVM options and container limits into a command line. */
class JvmConfigTest {

    @Test
    @DisplayName("RAM percentages become -Xmx/-Xms of the memory limit and the CPU limit a processor count")
    void percentagesOfTheLimit() {
        assertThat(JvmConfig.containerEquivalent(
                        "-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError -XX:TieredStopAtLevel=1", "512Mi", "1"))
                .containsExactly(
                        "-XX:+ExitOnOutOfMemoryError",
                        "-XX:TieredStopAtLevel=1",
                        "-Xmx384m",
                        "-Xms8m",
                        "-XX:ActiveProcessorCount=1");
    }

    @Test
    @DisplayName("explicit -Xmx/-Xms win over the limit, as in the JVM; no percentage means the JVM's 25%")
    void explicitHeapWins() {
        assertThat(JvmConfig.containerEquivalent("-Xms32m -Xmx128m -XX:+UseSerialGC", "320Mi", "1500m"))
                .containsExactly("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:ActiveProcessorCount=2");
        assertThat(JvmConfig.containerEquivalent("", "1Gi", "")).containsExactly("-Xmx256m", "-Xms16m");
    }

    @Test
    @DisplayName("Kubernetes quantities: binary and decimal memory units, millicores rounded up")
    void quantities() {
        assertThat(JvmConfig.bytes("256Mi")).isEqualTo(256L << 20);
        assertThat(JvmConfig.bytes("1G")).isEqualTo(1_000_000_000L);
        assertThat(JvmConfig.bytes("1.5Gi")).isEqualTo(3L << 29);
        assertThat(JvmConfig.cpus("100m")).isEqualTo(1);
        assertThat(JvmConfig.cpus("2")).isEqualTo(2);
        assertThatThrownBy(() -> JvmConfig.bytes("lots")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("the chart's configuration is read from Chart/values.yaml as it is")
    void chartAsItIs() {
        JvmConfig chart = JvmConfig.chart(Path.of("").toAbsolutePath());
        assertThat(chart.options())
                .contains("-XX:+UseSerialGC", "-XX:ActiveProcessorCount=1")
                .anyMatch(o -> o.startsWith("-Xmx"));
        assertThat(chart.description()).contains("limits memory 320Mi");
    }
}
