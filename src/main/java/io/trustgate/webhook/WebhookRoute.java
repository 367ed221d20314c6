package io.trustgate.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.trustgate.admission.AdmissionHandler;
import io.trustgate.admission.MalformedReviewException;
import io.trustgate.admission.ReviewParser;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Base64;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * {@code POST /validate} and {@code POST /mutate}: the admission.k8s.io/v1 ValidatingWebhook and
 * MutatingWebhook endpoints, plain Vert.x routes on Quarkus' HTTPS server. Both answer with the same
 * {@link AdmissionHandler#decide} (so a denial never depends on webhook order); /mutate adds the decision's
 * JSONPatch, which pins admitted images to their verified digests. They run on the I/O thread and nothing
 * on the review path blocks (a body over {@link ReviewParser#EVENT_LOOP_PARSE_BYTES} is parsed on a worker): pull-secret look-ups and signature checks run elsewhere and complete the
 * answer; cached verdicts answer at once.
 */
@ApplicationScoped
public class WebhookRoute {

    private static final Logger LOG = Logger.getLogger(WebhookRoute.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    AdmissionHandler handler;

    @Inject
    MeterRegistry metrics;

    /** {@code trustgate_review_parses_total} per kind of thread, registered once: not a meter look-up per review. */
    private Counter eventLoopParses;

    private Counter workerParses;

    void register(@Observes Router router) {
        eventLoopParses = parses(metrics, "event-loop");
        workerParses = parses(metrics, "worker");
        router.post("/validate")
                .handler(BodyHandler.create(false).setBodyLimit(ReviewParser.MAX_REVIEW_BYTES))
                .handler(this::validate);
        router.post("/mutate")
                .handler(BodyHandler.create(false).setBodyLimit(ReviewParser.MAX_REVIEW_BYTES))
                .handler(this::mutate);
    }

    void validate(RoutingContext rc) {
        review(rc, false);
    }

    void mutate(RoutingContext rc) {
        review(rc, true);
    }

    private void review(RoutingContext rc, boolean mutating) {
        Buffer body = rc.body().buffer();
        byte[] bytes = body == null ? new byte[0] : body.getBytes();
        if (bytes.length <= ReviewParser.EVENT_LOOP_PARSE_BYTES) {
            JsonNode review;
            try {
                review = parse(bytes);
            } catch (MalformedReviewException e) {
                badRequest(rc, e.getMessage());
                return;
            }
            decide(rc, review, mutating);
            return;
        }
        // A large body costs milliseconds to parse: a worker does it (unordered: large reviews do not queue
        // behind each other), and the decision continues on this request's event loop.
        rc.vertx().<JsonNode>executeBlocking(() -> parse(bytes), false).onComplete(parsed -> {
            if (parsed.succeeded()) {
                decide(rc, parsed.result(), mutating);
            } else if (parsed.cause() instanceof MalformedReviewException e) {
                badRequest(rc, e.getMessage());
            } else {
                LOG.error("could not parse a review", parsed.cause());
                rc.fail(parsed.cause());
            }
        });
    }

    /**
     * Parses a review body, counting in {@code trustgate_review_parses_total} whether the parsing thread was a Vert.x
     * event loop or not, as the thread itself reports it: the proof that large bodies stay off the event loop.
     */
    private JsonNode parse(byte[] bytes) throws MalformedReviewException {
        (Context.isOnEventLoopThread() ? eventLoopParses : workerParses).increment();
        return ReviewParser.parse(bytes);
    }

    private static Counter parses(MeterRegistry registry, String thread) {
        return Counter.builder("trustgate.review.parses")
                .description("AdmissionReview bodies parsed, by the kind of thread that parsed them (event-loop, or "
                        + "worker for bodies over " + ReviewParser.EVENT_LOOP_PARSE_BYTES + " bytes)")
                .tag("thread", thread)
                .register(registry);
    }

    private void decide(RoutingContext rc, JsonNode review, boolean mutating) {
        try {
            handler.decide(review, mutating)
                    .exceptionally(e -> {
                        // A bug, not a verdict: fail closed with a readable denial rather than a 500.
                        LOG.error("review failed unexpectedly", e);
                        return new AdmissionHandler.Decision(
                                review.path("request").path("uid").asText(),
                                false,
                                "trustgate could not check this object (internal error: " + e.getMessage()
                                        + "); it is denied to stay safe. Retry, and report it if it persists.",
                                List.of(),
                                "internal-error");
                    })
                    .thenAccept(d -> respond(rc, 200, mutating ? withPatch(d) : AdmissionHandler.toReview(d)))
                    .exceptionally(e -> {
                        // Writing the answer failed (a bug, or the connection is gone): log it, never drop it.
                        LOG.error("could not answer the review", e);
                        if (!rc.response().ended()) {
                            rc.fail(e);
                        }
                        return null;
                    });
        } catch (MalformedReviewException e) {
            badRequest(rc, e.getMessage());
        }
    }

    /** The review with the decision's JSONPatch, base64-encoded as admission.k8s.io/v1 wants it. */
    private static JsonNode withPatch(AdmissionHandler.Decision d) {
        ObjectNode review = AdmissionHandler.toReview(d);
        ArrayNode patch = AdmissionHandler.toJsonPatch(d);
        if (patch != null) {
            try {
                ((ObjectNode) review.get("response"))
                        .put("patchType", "JSONPatch")
                        .put("patch", Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(patch)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a JSONPatch of strings always serialises", e);
            }
        }
        return review;
    }

    private static void badRequest(RoutingContext rc, String reason) {
        respond(
                rc,
                400,
                JSON.createObjectNode()
                        .put("error", "malformed AdmissionReview")
                        .put("reason", reason));
    }

    private static void respond(RoutingContext rc, int status, JsonNode json) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            rc.fail(e);
            return;
        }
        // Answers may complete on another thread; Vert.x hands the write to the connection's event loop.
        rc.response()
                .setStatusCode(status)
                .putHeader("content-type", "application/json")
                .end(Buffer.buffer(bytes));
    }
}
