package dev.plinth.core.resources;

import dev.plinth.core.PlinthException;

import dev.plinth.core.context.RequestContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The {@code Idempotency-Key} contract shared by resource and admin writes: a client key of
 * 1–200 visible ASCII characters, scoped to the caller, tenant and env (two callers' keys never
 * collide), and a request fingerprint a retry must match.
 */
public final class Idempotency {

    public static final String HEADER = "Idempotency-Key";
    private static final Pattern KEY = Pattern.compile("^[\\x21-\\x7e]{1,200}$");

    private Idempotency() {}

    /** The scoped id of a client key (hex SHA-256), after checking its grammar. */
    public static String scopedId(RequestContext context, String clientKey) {
        if (!KEY.matcher(clientKey).matches()) {
            throw new PlinthException.Invalid("MALFORMED_REQUEST", HEADER + " must be 1 to 200 visible ASCII characters");
        }
        return sha256(context.userId() + "\n" + context.tenantId() + "\n" + context.env() + "\n" + clientKey);
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
