package io.trustgate.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The member-name and number-length bounds of a review body (Jackson's StreamReadConstraints), at and just over. */
class ReviewParserBoundsTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("a member name of exactly the bound parses; one character more is refused naming the bound")
    void nameLength() throws Exception {
        String atName = "n".repeat(ReviewParser.MAX_NAME_LENGTH);
        assertThat(ReviewParser.parse(utf8("{\"" + atName + "\":1}")).has(atName))
                .isTrue();

        String overName = atName + "n";
        assertThatThrownBy(() -> ReviewParser.parse(utf8("{\"" + overName + "\":1}")))
                .isInstanceOf(MalformedReviewException.class)
                .hasMessageContaining("Name length")
                .hasMessageContaining(String.valueOf(ReviewParser.MAX_NAME_LENGTH));
    }

    @Test
    @DisplayName("a number of exactly the bound's digits parses; one digit more is refused naming the bound")
    void numberLength() throws Exception {
        String atNumber = "9".repeat(ReviewParser.MAX_NUMBER_LENGTH);
        assertThat(ReviewParser.parse(utf8("{\"n\":" + atNumber + "}")).get("n").isNumber())
                .isTrue();

        String overNumber = atNumber + "9";
        assertThatThrownBy(() -> ReviewParser.parse(utf8("{\"n\":" + overNumber + "}")))
                .isInstanceOf(MalformedReviewException.class)
                .hasMessageContaining("Number value length")
                .hasMessageContaining(String.valueOf(ReviewParser.MAX_NUMBER_LENGTH));
        String overFraction = "0." + "1".repeat(ReviewParser.MAX_NUMBER_LENGTH);
        assertThatThrownBy(() -> ReviewParser.parse(utf8("{\"n\":" + overFraction + "}")))
                .isInstanceOf(MalformedReviewException.class)
                .hasMessageContaining("Number value length");
    }
}
