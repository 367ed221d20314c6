package io.trustgate.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustgate.testing.Ports;
import io.trustgate.testing.TestCa;
import io.trustgate.testing.TrustgateProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The packaged webhook refuses a bad setting at start-up: it exits, and what it prints is one line naming the
 * variable and the value, not a stack trace.
 */
class ConfigStartupIT {

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "TRUSTGATE_DEADLINE|abc|a duration above zero",
                "TRUSTGATE_CACHE_TAG_TTL|-5s|negative",
                "TRUSTGATE_CA_BUNDLE|GARBAGE|not PEM certificates",
            })
    @DisplayName("a bad value stops start-up with one line naming the variable and the value")
    void badValueStopsStartup(String variable, String value, String expected, @TempDir Path dir) throws Exception {
        if (value.equals("GARBAGE")) {
            value = Files.writeString(
                            dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
                    .toString();
        }
        Path policies = Files.createDirectories(dir.resolve("policies"));
        TrustgateProcess.Exit exit = TrustgateProcess.runToExit(
                "config-startup",
                TestCa.create(dir.resolve("ca")),
                Ports.free(),
                Map.of(variable, value, "TRUSTGATE_POLICIES_DIR", policies.toString()),
                Duration.ofSeconds(90));
        assertThat(exit.code()).as(exit.output()).isNotZero();
        assertThat(exit.output().lines().filter(l -> l.contains(variable)))
                .as(exit.output())
                .singleElement()
                .asString()
                .contains("trustgate: invalid configuration: " + variable + "=\"" + value + "\"")
                .contains(expected);
        assertThat(exit.output()).doesNotContain("\tat ").doesNotContain("Exception");
    }
}
