package io.trustgate.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** A value or the failure in its place, so that failures can be cached for their own (short) time. */
public sealed interface Outcome<T> {

    /** A successful answer. */
    record Ok<T>(T value) implements Outcome<T> {}

    /** A failed answer; {@code error} is unwrapped from CompletionException. */
    record Failed<T>(Throwable error) implements Outcome<T> {}

    static <T> Outcome<T> of(T value, Throwable error) {
        if (error == null) {
            return new Ok<>(value);
        }
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return new Failed<>(e);
    }

    default CompletableFuture<T> toFuture() {
        if (this instanceof Ok<T> ok) {
            return CompletableFuture.completedFuture(ok.value());
        }
        return CompletableFuture.failedFuture(((Failed<T>) this).error());
    }
}
