package io.trustgate.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.policy.ImagePattern;
import io.trustgate.policy.Policy;
import io.trustgate.policy.PolicyId;
import io.trustgate.policy.PolicySet;
import io.trustgate.policy.Signer;
import io.trustgate.transport.TransportOptions;
import io.trustgate.transport.VertxRegistryClient;
import io.trustgate.verify.ImageVerifier;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A review never waits past its budget: an upstream that never answers yields a denial naming it. */
class DeadlineTest {

    @Test
    @DisplayName("a registry that accepts connections and never answers gives a denial within the budget, naming it")
    void silentRegistry() throws Exception {
        Vertx vertx = Vertx.vertx();
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // read nothing, answer nothing
                    }
                } catch (Exception ignored) {
                    // closed at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String host = "127.0.0.1:" + silent.getLocalPort();
            TransportOptions options = TrustgateSettings.defaults()
                    .transport()
                    .withInsecureHosts(host)
                    .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30));
            ImageVerifier verifier =
                    new ImageVerifier(new VertxRegistryClient(vertx, options, Clock.systemUTC()), List.of());
            Policy policy = Policy.builder(PolicyId.cluster("slow"), "uid", "1")
                    .images(List.of(ImagePattern.compile(host + "/**")))
                    .lookaside("https://sigs.example.com")
                    .signers(List.of(Signer.builder("alice").keys(List.of("k")).build()))
                    .build();
            AdmissionHandler handler = AdmissionHandler.builder(
                            () -> new PolicySet(List.of(policy), List.of()), verifier, Duration.ofSeconds(1))
                    .build();
            var review = new ObjectMapper().readTree("""
                    {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE",
                     "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"default",
                     "object":{"spec":{"containers":[{"name":"a","image":"%s/demo/app:1"}]}}}}""".formatted(host));
            long start = System.nanoTime();
            AdmissionHandler.Decision d = handler.decide(review).join();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(d.allowed()).isFalse();
            assertThat(d.message()).contains("no answer within 1.0 s from registry " + host);
            assertThat(took).isLessThan(Duration.ofSeconds(4));
        } finally {
            for (Socket s : held) {
                s.close();
            }
            vertx.close();
        }
    }
}
