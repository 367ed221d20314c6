package io.trustgate.notation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * A Notation trusted identity, {@code x509.subject: C=US, O=Acme, CN=release}: a certificate's subject matches when
 * it has every attribute the identity names, with the same value (Notation's rule: the identity is a subset of the
 * subject). Multi-valued RDNs and repeated attributes are refused, as notation refuses them.
 *
 * @param text the identity as written in the policy
 * @param attributes the attribute types (upper case) and values it requires
 */
public record TrustedIdentity(String text, List<Attribute> attributes) {

    /** The prefix of an x509 subject identity, as notation's trust policy writes it (matched ignoring case). */
    public static final String PREFIX = "x509.subject:";

    /** One required attribute. */
    public record Attribute(String type, String value) {}

    public TrustedIdentity {
        Objects.requireNonNull(text, "text");
        attributes = List.copyOf(attributes);
    }

    /** Parses {@code x509.Subject: <DN>}; throws {@link IllegalArgumentException} naming what is wrong. */
    public static TrustedIdentity parse(String text) {
        if (text == null || text.length() > 1024 || !text.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw new IllegalArgumentException(
                    "a Notation trusted identity is \"x509.subject: <distinguished name>\", got \"" + text + "\"");
        }
        List<Attribute> attributes = attributes(text.substring(PREFIX.length()).strip());
        if (attributes.isEmpty()) {
            throw new IllegalArgumentException("trusted identity \"" + text + "\" names no attribute");
        }
        return new TrustedIdentity(text, attributes);
    }

    /** Whether the certificate subject has every attribute of this identity. */
    public boolean matches(X500Principal subject) {
        List<Attribute> actual;
        try {
            actual = attributes(subject.getName(X500Principal.RFC2253));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return actual.containsAll(attributes);
    }

    private static List<Attribute> attributes(String dn) {
        LdapName name;
        try {
            name = new LdapName(dn);
        } catch (InvalidNameException e) {
            throw new IllegalArgumentException("not a distinguished name: \"" + dn + "\"", e);
        }
        List<Attribute> out = new ArrayList<>();
        for (Rdn rdn : name.getRdns()) {
            if (rdn.size() != 1) {
                throw new IllegalArgumentException("multi-valued RDN \"" + rdn + "\" in \"" + dn + "\"");
            }
            Attribute a = new Attribute(rdn.getType().toUpperCase(Locale.ROOT), String.valueOf(rdn.getValue()));
            if (out.stream().anyMatch(o -> o.type().equals(a.type()))) {
                throw new IllegalArgumentException("attribute " + a.type() + " repeated in \"" + dn + "\"");
            }
            out.add(a);
        }
        return out;
    }
}
