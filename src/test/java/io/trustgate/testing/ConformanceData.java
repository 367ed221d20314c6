package io.trustgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The conformance data copied into this repository ({@code src/test/resources/conformance/}, with its
 * README and per-set provenance and licence notes). Tests read it from the clone itself, never from a
 * folder beside it.
 */
public final class ConformanceData {

    private ConformanceData() {}

    /** The folder holding {@code cases.json}; surefire sets {@code tg.conformance.dir} to the absolute path. */
    public static Path dir() {
        Path dir = Path.of(System.getProperty("tg.conformance.dir", "src/test/resources/conformance"));
        assertThat(dir.resolve("cases.json"))
                .as("conformance data in the repository")
                .exists();
        return dir;
    }

    /** A file of the conformance data, by its path relative to {@link #dir()}. */
    public static byte[] read(String relative) throws java.io.IOException {
        return Files.readAllBytes(dir().resolve(relative));
    }
}
