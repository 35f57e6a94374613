package dev.plinth.engine.builtins;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The attacker's side of the key cache: keys are kept by their exact text, so a token signed
 * by one key never verifies against another however the calls interleave, a key that differs
 * in one character is another key, and a text that cannot be read keeps failing.
 */
class JwtKeyCacheTest {

    private static final Builtin VERIFY = HostBuiltins.get("io.jwt.verify_es256");

    @Test
    void aCachedKeyVerifiesOnlyWhatItSigned() throws Exception {
        var a = new ECKeyGenerator(Curve.P_256).generate();
        var b = new ECKeyGenerator(Curve.P_256).generate();
        var token = new SignedJWT(new JWSHeader(JWSAlgorithm.ES256), new JWTClaimsSet.Builder().subject("u_ana").build());
        token.sign(new ECDSASigner(a));
        String jwt = token.serialize();
        String keyA = pem(a.toPublicKey().getEncoded());
        String keyB = pem(b.toPublicKey().getEncoded());
        for (int round = 0; round < 3; round++) { // the first round reads the keys, the others take them from the cache
            assertThat(VERIFY.call(TextNode.valueOf(jwt), TextNode.valueOf(keyA))).isEqualTo(BooleanNode.TRUE);
            assertThat(VERIFY.call(TextNode.valueOf(jwt), TextNode.valueOf(keyB))).isEqualTo(BooleanNode.FALSE);
            assertThat(VERIFY.call(TextNode.valueOf(jwt), TextNode.valueOf(a.toPublicJWK().toJSONString()))).isEqualTo(BooleanNode.TRUE);
            assertThat(VERIFY.call(TextNode.valueOf(jwt), TextNode.valueOf(b.toPublicJWK().toJSONString()))).isEqualTo(BooleanNode.FALSE);
        }
        // One character of the key's Base64 changed: another key (or none), never A's cached one.
        int at = keyA.indexOf('\n') + 40;
        String altered = keyA.substring(0, at) + (keyA.charAt(at) == 'A' ? 'B' : 'A') + keyA.substring(at + 1);
        assertThat(VERIFY.call(TextNode.valueOf(jwt), TextNode.valueOf(altered))).isNotEqualTo(BooleanNode.TRUE);
        // A text that cannot be read is not remembered as a key: it fails every time.
        for (int i = 0; i < 2; i++) {
            assertThat(VERIFY.call(TextNode.valueOf(jwt), TextNode.valueOf("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")))
                    .isNotEqualTo(BooleanNode.TRUE);
        }
    }

    private static String pem(byte[] der) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
    }
}
