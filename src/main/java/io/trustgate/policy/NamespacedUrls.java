package io.trustgate.policy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Which lookaside and Notary URLs a namespaced TrustPolicy may name: a tenant must not point trustgate at
 * its own pod network, the node, or the cloud metadata service.
 *
 * <p>With no allowed prefixes ({@code TRUSTGATE_NAMESPACED_URL_PREFIXES} unset), any {@code https://} or
 * {@code http://} URL is accepted except those whose host is a loopback, link-local (169.254.0.0/16,
 * fe80::/10) or unspecified address, or a {@code localhost} name; {@code file:} and every other scheme are
 * refused. With allowed prefixes, a URL must start with one of them (at a path boundary) and nothing else is
 * accepted; a prefix the admin lists may name loopback or {@code file:} on purpose. Hostnames are judged as
 * written: one that resolves to a forbidden address is not caught here (use the prefix list, or a
 * NetworkPolicy, to close that).
 *
 * @param allowedPrefixes URL prefixes, e.g. {@code https://sigstore.example.com/}; empty: the default rule above
 */
public record NamespacedUrls(List<String> allowedPrefixes) {

    /** The default rule: no prefixes, no loopback, link-local or unspecified hosts, http(s) only. */
    public static final NamespacedUrls DEFAULT = new NamespacedUrls(List.of());

    public NamespacedUrls {
        allowedPrefixes = allowedPrefixes.stream()
                .map(String::strip)
                .filter(p -> !p.isEmpty())
                .toList();
    }

    /**
     * Checks that a namespaced policy may name a URL.
     *
     * @param field the policy field, for the message (e.g. {@code lookaside}, {@code notary.server})
     * @throws InvalidPolicyException when a namespaced policy may not name {@code url}
     */
    public void check(String field, String url) throws InvalidPolicyException {
        if (!allowedPrefixes.isEmpty()) {
            for (String prefix : allowedPrefixes) {
                if (underPrefix(url, prefix)) {
                    return;
                }
            }
            throw new InvalidPolicyException(field + " " + url + " is not under a URL prefix a cluster admin allows for"
                    + " TrustPolicies (TRUSTGATE_NAMESPACED_URL_PREFIXES: " + allowedPrefixes + ")");
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException(field + " \"" + url + "\" is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new InvalidPolicyException(
                    field + " " + url + ": a TrustPolicy may name only https:// or http:// URLs"
                            + " (file: and other schemes need a URL prefix a cluster admin allows)");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new InvalidPolicyException(field + " " + url + " has no host");
        }
        String forbidden = forbiddenHost(host);
        if (forbidden != null) {
            throw new InvalidPolicyException(field + " " + url + " points at a " + forbidden + " address, which a"
                    + " TrustPolicy may not name unless a cluster admin allows it (TRUSTGATE_NAMESPACED_URL_PREFIXES)");
        }
    }

    private static boolean underPrefix(String url, String prefix) {
        if (!url.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return false;
        }
        // "https://sigs.example.com" must not allow "https://sigs.example.com.evil.net" or another port
        return prefix.endsWith("/") || url.length() == prefix.length() || url.charAt(prefix.length()) == '/';
    }

    /** Why the host is refused, or {@code null}; IP literals are parsed without any DNS look-up. */
    static String forbiddenHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return "loopback";
        }
        if (h.startsWith("[") && !(h.endsWith("]") && h.contains(":"))) {
            return "malformed numeric";
        }
        boolean v6 = h.startsWith("[");
        boolean v4 = !h.isEmpty() && h.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
        if (!v6 && !v4) {
            return null;
        }
        InetAddress address;
        try {
            // IPv6 literals (they contain ':') are parsed without a resolver; IPv4 is parsed here, and shorthand
            // forms some resolvers accept (127.1, 2130706433) are refused rather than guessed at
            address = v6
                    ? InetAddress.getByName(h.substring(1, h.length() - 1))
                    : InetAddress.getByAddress(dottedQuad(h));
        } catch (UnknownHostException | IllegalArgumentException e) {
            return "malformed numeric";
        }
        if (address.isLoopbackAddress()) {
            return "loopback";
        }
        if (address.isLinkLocalAddress()) {
            return "link-local";
        }
        if (address.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (address instanceof Inet6Address a6 && mappedV4(a6) != null) {
            return forbiddenHost(mappedV4(a6).getHostAddress());
        }
        return address instanceof Inet4Address || address instanceof Inet6Address ? null : "unknown";
    }

    private static byte[] dottedQuad(String h) {
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(h);
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 3 || Integer.parseInt(parts[i]) > 255) {
                throw new IllegalArgumentException(h);
            }
            b[i] = (byte) Integer.parseInt(parts[i]);
        }
        return b;
    }

    private static InetAddress mappedV4(Inet6Address a) {
        byte[] b = a.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return null;
            }
        }
        if ((b[10] != (byte) 0xff || b[11] != (byte) 0xff)) {
            return null;
        }
        try {
            return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
