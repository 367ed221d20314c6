package io.trustgate.cli;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;

/** The Vert.x instance one command's network clients run on; closed when the command ends. */
final class Transport implements AutoCloseable {

    private static final long CLOSE_SECONDS = 10;

    private final Vertx vertx;

    private Transport(Vertx vertx) {
        this.vertx = vertx;
    }

    static Transport open() {
        // A command line needs one event loop, not one per core.
        return new Transport(
                Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2)));
    }

    Vertx vertx() {
        return vertx;
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(CLOSE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Nothing is left to do with it; the process ends or the threads die with it.
        }
    }
}
