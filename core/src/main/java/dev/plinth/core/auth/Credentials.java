package dev.plinth.core.auth;

/**
 * What Java established about the caller's credentials: facts for the policy, not a decision.
 *
 * @param present  a bearer token was sent
 * @param verified signature, issuer, audience and validity period all checked out
 * @param error    why verification failed (never contains key material), or null
 * @param issuer   the verified issuer, or null
 * @param subject  the verified subject, or null
 */
public record Credentials(boolean present, boolean verified, String error, String issuer, String subject) {

    public static Credentials absent() {
        return new Credentials(false, false, null, null, null);
    }

    public static Credentials rejected(String error) {
        return new Credentials(true, false, error, null, null);
    }

    public static Credentials verified(String issuer, String subject) {
        return new Credentials(true, true, null, issuer, subject);
    }
}
