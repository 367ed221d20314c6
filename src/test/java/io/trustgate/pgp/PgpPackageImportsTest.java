package io.trustgate.pgp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PgpPackageImportsTest {

    private static final List<String> ALLOWED = List.of("java.", "org.bouncycastle.", "com.fasterxml.jackson.",
            "io.trustgate.image.", "io.trustgate.pgp.");

    @Test
    @DisplayName("io.trustgate.pgp imports only the JDK, Bouncy Castle, Jackson and io.trustgate.image")
    void importsStayInTheCore() throws IOException {
        Path sources = Path.of(System.getProperty("user.dir"), "src/main/java/io/trustgate/pgp");
        List<String> offending = new ArrayList<>();
        try (Stream<Path> files = Files.list(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                for (String line : Files.readAllLines(file)) {
                    String trimmed = line.strip();
                    if (trimmed.startsWith("import ")) {
                        String name = trimmed.replaceFirst("^import (static )?", "");
                        if (ALLOWED.stream().noneMatch(name::startsWith)) {
                            offending.add(file.getFileName() + ": " + trimmed);
                        }
                    }
                }
            }
        }
        assertThat(offending).isEmpty();
    }
}
