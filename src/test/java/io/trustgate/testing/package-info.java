/**
 * Real peers on loopback for integration tests: each starts a real program (or a JDK HTTP server) on
 * 127.0.0.1 on a free port, waits until it answers, logs under {@code target/peers/<name>/}, and stops by PID
 * on {@code close()} and, as a last resort, on JVM exit.
 *
 * <ul>
 *   <li>{@link io.trustgate.testing.RegistryPeer}: Debian {@code docker-registry}, open, htpasswd or token auth
 *       (with {@link io.trustgate.testing.TokenServer}); access-log request counting.</li>
 *   <li>{@link io.trustgate.testing.ImageFactory}: random one-layer OCI / Docker v2 images pushed with skopeo.</li>
 *   <li>{@link io.trustgate.testing.GpgPeer}: GnuPG keys, {@code skopeo --sign-by} into a lookaside directory,
 *       {@code skopeo standalone-verify} as oracle.</li>
 *   <li>{@link io.trustgate.testing.LookasidePeer}: serves a lookaside directory over HTTP, counting requests.</li>
 *   <li>{@link io.trustgate.testing.NotaryPeer} + {@link io.trustgate.testing.NotaryCli}: notary-server over TLS
 *       and the notary CLI.</li>
 *   <li>{@link io.trustgate.testing.TestCa}: CA and server certificates (SAN 127.0.0.1, localhost) as PEM.</li>
 *   <li>{@code io.trustgate.webhook.WebhookPeers}: the Quarkus test resource that starts these for the webhook tests.</li>
 *   <li>{@link io.trustgate.testing.Ports}, {@link io.trustgate.testing.Proc},
 *       {@link io.trustgate.testing.PeerProcess}, {@link io.trustgate.testing.MutableClock}: the plumbing.</li>
 * </ul>
 *
 * <p>Needs the Debian packages {@code docker-registry notary skopeo gnupg apache2-utils} and {@code openssl}.
 */
package io.trustgate.testing;
