package io.trustgate.admission;

/** An AdmissionReview that cannot be answered (not JSON, no request, no uid); answered with a 400. */
public final class MalformedReviewException extends Exception {
    public MalformedReviewException(String message) {
        super(message);
    }
}
