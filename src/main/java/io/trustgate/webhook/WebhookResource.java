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
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
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
    public CompletionStage<byte[]> validate(byte[] body) {
        // Bytes in and out: the reader and writer are fixed at build time, not looked up per review.
        JsonNode review;
        try {
            review = JSON.readTree(body == null ? new byte[0] : body);
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw badRequest("the body is not JSON: " + why);
        }
        if (review == null || review.isMissingNode()) {
            throw badRequest("the body is empty");
        }
        try {
            return handler.decide(review)
                    .thenApply(d -> write(AdmissionHandler.toReview(d)))
                    .exceptionally(e -> {
                        // A bug, not a verdict: fail closed with a readable denial rather than a 500.
                        LOG.error("review failed unexpectedly", e);
                        String uid = review.path("request").path("uid").asText();
                        return write(AdmissionHandler.toReview(new AdmissionHandler.Decision(uid, false,
                                "trustgate could not check this object (internal error: " + e.getMessage()
                                        + "); it is denied to stay safe. Retry, and report it if it persists.",
                                java.util.List.of(), "internal-error")));
                    });
        } catch (MalformedReviewException e) {
            throw badRequest(e.getMessage());
        }
    }

    private static byte[] write(JsonNode review) {
        try {
            return JSON.writeValueAsBytes(review);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an AdmissionReview", e);
        }
    }

    private static WebApplicationException badRequest(String reason) {
        return new WebApplicationException(Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                .entity(write(JSON.createObjectNode().put("error", "malformed AdmissionReview").put("reason", reason)))
                .build());
    }
}
