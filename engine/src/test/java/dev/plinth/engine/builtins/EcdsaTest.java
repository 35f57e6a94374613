package dev.plinth.engine.builtins;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bouncy Castle's verification answers what the JDK's does, on the three NIST curves and each
 * JWS digest: valid signatures, a flipped bit in the message or the signature, r or s zero or
 * at the curve's order, a signature made by another key.
 */
class EcdsaTest {

    @Test
    void answersWhatTheJdkAnswers() throws Exception {
        var random = new Random(42);
        String[][] cases = {{"secp256r1", "SHA-256", "SHA256"}, {"secp384r1", "SHA-384", "SHA384"}, {"secp521r1", "SHA-512", "SHA512"},
                {"secp256r1", "SHA-512", "SHA512"}}; // a digest longer than the order: truncated, as Go truncates it
        int checked = 0;
        for (String[] c : cases) {
            var generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(c[0]));
            var pair = generator.generateKeyPair();
            var other = generator.generateKeyPair();
            var key = (ECPublicKey) pair.getPublic();
            int size = (key.getParams().getCurve().getField().getFieldSize() + 7) / 8;
            BigInteger order = key.getParams().getOrder();
            for (int i = 0; i < 20; i++) {
                byte[] message = new byte[1 + random.nextInt(200)];
                random.nextBytes(message);
                var signer = Signature.getInstance(c[2] + "withECDSAinP1363Format");
                signer.initSign(i % 5 == 4 ? other.getPrivate() : pair.getPrivate());
                signer.update(message);
                byte[] signature = signer.sign();
                byte[] flippedMessage = message.clone();
                flippedMessage[random.nextInt(message.length)] ^= 1;
                byte[] flippedSignature = signature.clone();
                flippedSignature[random.nextInt(signature.length)] ^= (byte) 0x10;
                for (byte[][] attempt : new byte[][][] {{message, signature}, {flippedMessage, signature}, {message, flippedSignature},
                        {message, withR(signature, size, BigInteger.ZERO)}, {message, withR(signature, size, order)},
                        {message, withS(signature, size, BigInteger.ZERO)}, {message, withS(signature, size, order)}}) {
                    assertThat(Ecdsa.verify(key, c[1], attempt[0], attempt[1])).as(c[0] + " " + c[1] + " attempt " + checked)
                            .isEqualTo(jdk(key, c[2], attempt[0], attempt[1]));
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(4 * 20 * 7);
    }

    private static boolean jdk(ECPublicKey key, String digest, byte[] message, byte[] signature) throws Exception {
        var verifier = Signature.getInstance(digest + "withECDSAinP1363Format");
        verifier.initVerify(key);
        verifier.update(message);
        try {
            return verifier.verify(signature);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    private static byte[] withR(byte[] signature, int size, BigInteger r) {
        byte[] out = signature.clone();
        put(out, 0, size, r);
        return out;
    }

    private static byte[] withS(byte[] signature, int size, BigInteger s) {
        byte[] out = signature.clone();
        put(out, size, size, s);
        return out;
    }

    private static void put(byte[] out, int at, int size, BigInteger value) {
        byte[] bytes = value.toByteArray();
        int skip = bytes.length > size ? bytes.length - size : 0;
        Arrays.fill(out, at, at + size, (byte) 0);
        System.arraycopy(bytes, skip, out, at + size - (bytes.length - skip), bytes.length - skip);
    }
}
