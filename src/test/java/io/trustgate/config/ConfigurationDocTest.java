package io.trustgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md's table of settings is generated from {@link Setting}, the table the parser uses, so a
 * default or a name in the docs cannot drift from the code. After changing a row, regenerate it with
 * {@code ./mvnw -q test -Dtest=ConfigurationDocTest -Dtrustgate.write-docs=true} (or {@code make manifests}).
 */
class ConfigurationDocTest {

    private static final Path DOC = Path.of("docs/configuration.md");
    private static final String BEGIN =
            "<!-- settings: generated from io.trustgate.config.Setting by ConfigurationDocTest -->";
    private static final String END = "<!-- end of settings -->";

    /** The Markdown table of every setting, in the table's order. */
    static String table() {
        StringBuilder md = new StringBuilder("| variable | property | default | meaning |\n|---|---|---|---|\n");
        for (Setting s : Setting.values()) {
            md.append("| `")
                    .append(s.env())
                    .append("` | `")
                    .append(s.property())
                    .append("` | ")
                    .append(s.defaultValue() == null ? "unset" : "`" + s.defaultValue() + "`")
                    .append(" | ")
                    .append(s.description())
                    .append(s.kind() == Kind.TEXT ? "" : " Expects " + s.kind().expected() + ".")
                    .append(" |\n");
        }
        return md.toString();
    }

    @Test
    @DisplayName("docs/configuration.md lists every setting with the name, default and meaning the code has")
    void docMatchesTheTable() throws Exception {
        String doc = Files.readString(DOC);
        Matcher m = Pattern.compile(Pattern.quote(BEGIN) + "\n(.*?)" + Pattern.quote(END), Pattern.DOTALL)
                .matcher(doc);
        assertThat(m.find())
                .as(DOC + " must hold the generated table between " + BEGIN + " and " + END)
                .isTrue();
        if (Boolean.getBoolean("trustgate.write-docs")) {
            doc = doc.substring(0, m.start(1)) + table() + doc.substring(m.end(1));
            Files.writeString(DOC, doc);
            m = Pattern.compile(Pattern.quote(BEGIN) + "\n(.*?)" + Pattern.quote(END), Pattern.DOTALL)
                    .matcher(doc);
            assertThat(m.find()).isTrue();
        }
        assertThat(m.group(1)).as("regenerate with -Dtrustgate.write-docs=true").isEqualTo(table());
    }

    @Test
    @DisplayName("application.properties gives the TLS files the table's defaults")
    void applicationPropertiesAgree() throws Exception {
        String props = Files.readString(Path.of("src/main/resources/application.properties"));
        for (Setting s : new Setting[] {Setting.TLS_CERT, Setting.TLS_KEY}) {
            assertThat(props).contains(s.property() + "=${" + s.env() + ":" + s.defaultValue() + "}");
        }
    }
}
