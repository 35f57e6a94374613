package dev.plinth.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CredentialsTest {

    @Test
    void aBearerTokenIsTheTokenItselfAndNeverPrinted() {
        var c = Credentials.bearer("eyJhbGciOiJIUzI1NiJ9.e30.secret-signature");
        assertThat(c.authorization()).isEqualTo("Bearer eyJhbGciOiJIUzI1NiJ9.e30.secret-signature");
        assertThat(c.toString()).doesNotContain("secret-signature").doesNotContain("eyJ").isEqualTo("Credentials[Bearer …]");
        assertThat(Credentials.ofAuthorizationHeader("Basic dXNlcjpwYXNz").toString()).doesNotContain("dXNlcjpwYXNz");
    }

    @Test
    void aPrefixedEmptyOrMissingTokenIsAProgrammingErrorNotAnAnonymousCall() {
        assertThatThrownBy(() -> Credentials.bearer("Bearer abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Credentials.bearer("  ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Credentials.bearer(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void whatAServerReceivedIsPassedOnVerbatimAndAbsentIsNone() {
        assertThat(Credentials.ofAuthorizationHeader(null)).isSameAs(Credentials.none());
        assertThat(Credentials.ofAuthorizationHeader("")).isSameAs(Credentials.none());
        assertThat(Credentials.ofAuthorizationHeader("Basic x").authorization()).as("refused by verification, not here")
                .isEqualTo("Basic x");
        assertThat(Credentials.none().authorization()).isNull();
    }
}
