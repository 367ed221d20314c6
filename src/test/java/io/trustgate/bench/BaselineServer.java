package io.trustgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;

/**
 * The yardstick of {@code make bench}: an HTTPS server on the same stack as trustgate (Vert.x 4 on Netty, JDK
 * TLS, the same PEM certificate, one event loop per core times two as Quarkus has) that only parses the
 * AdmissionReview with Jackson and answers it allowed, on {@code /validate} and on {@code /mutate} alike (no
 * patch: the yardstick does no work of its own on either). trustgate's warm throughput on each endpoint is
 * reported as a ratio of this one's on the same endpoint. Runs as its own JVM, like trustgate, started and
 * stopped by {@link Bench}.
 *
 * <p>Usage: {@code BaselineServer PORT CERT.pem KEY.pem}; prints {@code listening} once it accepts connections.
 */
public final class BaselineServer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BaselineServer() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String cert = args[1];
        String key = args[2];
        int loops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE; // 2 x cores, like Quarkus' default io-threads
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
        HttpServerOptions options = new HttpServerOptions()
                .setHost("127.0.0.1")
                .setPort(port)
                .setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert).setKeyPath(key));
        vertx.deployVerticle(() -> new Answerer(options), new DeploymentOptions().setInstances(loops))
                .toCompletionStage()
                .toCompletableFuture()
                .get();
        System.out.println("listening on " + port + " with " + loops + " event loops");
        System.out.flush();
        Thread.currentThread().join();
    }

    /** One server instance per event loop, all sharing the port (Vert.x round-robins connections). */
    private static final class Answerer extends AbstractVerticle {
        private final HttpServerOptions options;

        Answerer(HttpServerOptions options) {
            this.options = options;
        }

        @Override
        public void start(Promise<Void> started) {
            vertx.createHttpServer(options)
                    .requestHandler(req -> {
                        if (!req.path().equals("/validate") && !req.path().equals("/mutate")) {
                            req.response().setStatusCode(404).end();
                            return;
                        }
                        req.body().onSuccess(body -> {
                            try {
                                JsonNode review = JSON.readTree(body.getBytes());
                                ObjectNode out = JSON.createObjectNode();
                                out.put("apiVersion", "admission.k8s.io/v1");
                                out.put("kind", "AdmissionReview");
                                out.putObject("response")
                                        .put(
                                                "uid",
                                                review.path("request")
                                                        .path("uid")
                                                        .asText())
                                        .put("allowed", true);
                                req.response()
                                        .putHeader("Content-Type", "application/json")
                                        .end(JSON.writeValueAsString(out));
                            } catch (IOException e) {
                                req.response().setStatusCode(400).end();
                            }
                        });
                    })
                    .listen()
                    .<Void>mapEmpty()
                    .onComplete(started);
        }
    }
}
