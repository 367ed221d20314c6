package io.trustgate.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;

/** The registry and lookaside models stay plain Java: only the transport adapter may import Vert.x. */
class PurePackagesTest {

    @ParameterizedTest
    @ValueSource(strings = {"registry", "lookaside"})
    @DisplayName("pure packages import nothing but the JDK, Jackson and io.trustgate.image")
    void pure(String pkg) throws IOException {
        Path dir = Path.of("src/main/java/io/trustgate", pkg);
        List<String> offending;
        try (Stream<Path> files = Files.walk(dir)) {
            offending = files.filter(p -> p.toString().endsWith(".java")).flatMap(p -> {
                try {
                    return Files.readAllLines(p).stream().filter(l -> l.startsWith("import "))
                            .filter(l -> !l.matches("import (static )?(java|javax\\.net|com\\.fasterxml\\.jackson|io\\.trustgate\\.(image|"
                                    + pkg + "))\\..*"))
                            .map(l -> p.getFileName() + ": " + l);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
        assertThat(offending).isEmpty();
    }
}
