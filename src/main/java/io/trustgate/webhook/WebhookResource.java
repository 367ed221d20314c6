package io.trustgate.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.admission.AdmissionHandler;
import io.trustgate.admission.MalformedReviewException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jboss.logging.Logger;

/**
 * {@code POST /validate}: the admission.k8s.io/v1 ValidatingWebhook endpoint. It runs on the I/O thread:
 * nothing on the review path blocks (pull-secret look-ups and signature checks run elsewhere and complete
 * the returned stage).
 */
@Path("/validate")
public class WebhookResource {

    private static final Logger LOG = Logger.getLogger(WebhookResource.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    AdmissionHandler handler;

    @POST
    @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> validate(String body) {
        JsonNode review;
        try {
            review = JSON.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            return CompletableFuture.completedFuture(badRequest("the body is not JSON: " + e.getOriginalMessage()));
        }
        try {
            return handler.decide(review)
                    .thenApply(d -> Response.ok(AdmissionHandler.toReview(d)).build())
                    .exceptionally(e -> {
                        // A bug, not a verdict: fail closed with a readable denial rather than a 500.
                        LOG.error("review failed unexpectedly", e);
                        String uid = review.path("request").path("uid").asText();
                        return Response.ok(AdmissionHandler.toReview(new AdmissionHandler.Decision(uid, false,
                                "trustgate could not check this object (internal error: " + e.getMessage()
                                        + "); it is denied to stay safe. Retry, and report it if it persists.",
                                java.util.List.of(), "internal-error"))).build();
                    });
        } catch (MalformedReviewException e) {
            return CompletableFuture.completedFuture(badRequest(e.getMessage()));
        }
    }

    private static Response badRequest(String reason) {
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", "malformed AdmissionReview", "reason", reason)).build();
    }
}
