package io.trustgate.cli;

import io.trustgate.config.InvalidSettingException;
import io.trustgate.config.Setting;
import io.trustgate.config.TrustgateSettings;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options every networked command shares, and the one way a command gets its settings: the environment
 * ({@code TRUSTGATE_*}, as the webhook reads it) with the command's flags over it, parsed and checked by
 * {@link TrustgateSettings#load}. A bad value is a configuration error (exit 2) in one line.
 */
final class SettingsOptions {

    @Option(
            names = "--ca-bundle",
            paramLabel = "FILE",
            description = "PEM CA certificates trusted for every registry, lookaside store and Notary server, besides "
                    + "the JVM's (default: $TRUSTGATE_CA_BUNDLE).")
    Path caBundle;

    @Option(
            names = "--certs-dir",
            paramLabel = "DIR",
            description = "A directory like /etc/containers/certs.d: <host[:port]>/*.crt are CAs trusted for that "
                    + "host only (default: $TRUSTGATE_CERTS_DIR).")
    Path certsDir;

    /**
     * The settings of {@code env} with {@code flags} (and this mixin's own) in place of the variables they name.
     *
     * @throws CliException naming the bad value
     */
    TrustgateSettings load(Map<String, String> env, Map<Setting, String> flags) {
        Map<Setting, String> given = new EnumMap<>(Setting.class);
        given.putAll(flags);
        if (caBundle != null) {
            given.put(Setting.CA_BUNDLE, caBundle.toString());
        }
        if (certsDir != null) {
            given.put(Setting.CERTS_DIR, certsDir.toString());
        }
        try {
            return TrustgateSettings.load(
                    s -> given.containsKey(s) ? Optional.of(given.get(s)) : Optional.ofNullable(env.get(s.env())));
        } catch (InvalidSettingException e) {
            throw new CliException("invalid configuration: " + e.getMessage(), e);
        }
    }
}
