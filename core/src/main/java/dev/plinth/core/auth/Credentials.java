package dev.plinth.core.auth;

import java.util.Objects;

/**
 * What a caller presents to prove who it is: a bearer token (a JWT from a configured
 * identity provider), or nothing. A value, so a library user says what they mean
 * ({@code Credentials.bearer(jwt)}) and a server hands over what it received
 * ({@link #ofAuthorizationHeader}); {@link TokenVerifier} establishes the facts the policy
 * decides on ({@link TokenFacts}). Never prints its token.
 */
public final class Credentials {

    private static final Credentials NONE = new Credentials(null);

    /** An {@code Authorization} header value: {@code Bearer <jwt>}, another scheme (refused at verification), or null. */
    private final String authorization;

    private Credentials(String authorization) {
        this.authorization = authorization;
    }

    /** A bearer token: the JWT itself, without a {@code Bearer } prefix. */
    public static Credentials bearer(String jwt) {
        Objects.requireNonNull(jwt, "jwt");
        if (jwt.isBlank() || jwt.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new IllegalArgumentException("give the token itself, not empty and without the 'Bearer ' prefix");
        }
        return new Credentials("Bearer " + jwt.strip());
    }

    /** No credentials: the policy decides what an anonymous caller may do (usually 401). */
    public static Credentials none() {
        return NONE;
    }

    /**
     * What a server received in {@code Authorization}, verbatim (null when absent): a scheme
     * other than Bearer is not an error here but a refusal the policy sees.
     */
    public static Credentials ofAuthorizationHeader(String value) {
        return value == null || value.isBlank() ? NONE : new Credentials(value);
    }

    /** The header form {@link TokenVerifier} reads. */
    String authorization() {
        return authorization;
    }

    @Override
    public String toString() {
        return authorization == null ? "Credentials[none]" : "Credentials[" + authorization.split(" ", 2)[0] + " …]";
    }
}
