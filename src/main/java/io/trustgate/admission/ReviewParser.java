package io.trustgate.admission;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * Parses an AdmissionReview body within fixed bounds (document size, nesting depth, string, name and number
 * lengths), so a hostile body costs at most one bounded pass and fails with the bound it crossed.
 */
public final class ReviewParser {

    /** Largest body: an AdmissionReview carries the object and the old object; etcd caps each at ~1.5 MiB. */
    public static final int MAX_REVIEW_BYTES = 8 * 1024 * 1024;
    /** Deepest JSON nesting: a CronJob's pod spec with managedFields is under 20 levels. */
    public static final int MAX_NESTING_DEPTH = 64;
    /** Longest string value (annotations are capped at 256 KiB in all by the API server). */
    public static final int MAX_STRING_LENGTH = 1024 * 1024;
    /** Longest member name (label and annotation keys are at most 317 characters). */
    public static final int MAX_NAME_LENGTH = 4096;
    /** Longest number literal. */
    public static final int MAX_NUMBER_LENGTH = 64;

    /**
     * Largest body parsed on the thread it arrived on (the Vert.x event loop); larger ones are parsed on a
     * worker. Parsing costs about 3 ms of CPU per MiB (BoundsBench: 23 ms for 8 MiB), so this keeps the event
     * loop's share under 1 ms; ordinary Pod reviews (a few KiB) never leave it.
     */
    public static final int EVENT_LOOP_PARSE_BYTES = 256 * 1024;

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxDocumentLength(MAX_REVIEW_BYTES)
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxStringLength(MAX_STRING_LENGTH)
                            .maxNameLength(MAX_NAME_LENGTH)
                            .maxNumberLength(MAX_NUMBER_LENGTH)
                            .build())
                    .build())
            // One key, one value: no parser-differential games with the API server's copy of the object.
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ReviewParser() {}

    /**
     * Parses an AdmissionReview body within the bounds above.
     *
     * @throws MalformedReviewException when the body is empty, not JSON, or crosses a bound (the message
     *     names it)
     */
    public static JsonNode parse(byte[] body) throws MalformedReviewException {
        if (body == null || body.length == 0) {
            throw new MalformedReviewException("the body is empty");
        }
        if (body.length > MAX_REVIEW_BYTES) {
            throw new MalformedReviewException(
                    "the body has " + body.length + " bytes, more than the limit of " + MAX_REVIEW_BYTES);
        }
        try {
            JsonNode review = JSON.readTree(body);
            if (review == null || review.isMissingNode()) {
                throw new MalformedReviewException("the body is empty");
            }
            return review;
        } catch (JsonProcessingException e) {
            throw new MalformedReviewException("the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedReviewException("the body cannot be read: " + e.getMessage());
        }
    }
}
