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
public record TokenFacts(boolean present, boolean verified, String error, String issuer, String subject) {

    public static TokenFacts absent() {
        return new TokenFacts(false, false, null, null, null);
    }

    public static TokenFacts rejected(String error) {
        return new TokenFacts(true, false, error, null, null);
    }

    public static TokenFacts verified(String issuer, String subject) {
        return new TokenFacts(true, true, null, issuer, subject);
    }
}
