package dev.plinth.engine.builtins;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;

/**
 * ECDSA verification on Bouncy Castle's curve-specific field arithmetic (its "custom" NIST
 * curves), not the JDK's: JWT verification is on the request path, and on this machine the
 * JDK's SunEC verifies a P-256 signature in ~500 µs where Bouncy Castle takes ~110 µs and
 * OPA's Go ~130 µs (docs/benchmarks.md, "Host builtins per family"). The checks are Go's
 * ecdsa.Verify: r and s in [1, n-1], the digest truncated to the order's bit length, the
 * key's point on its curve. A key whose parameters are not one of the three NIST curves is
 * not handled here (the caller verifies it with the JDK).
 */
final class Ecdsa {

    /** One of Bouncy Castle's curves, with what identifies it in a JDK key's parameters (read once). */
    private record Curve(ECDomainParameters domain, BigInteger p, BigInteger order, BigInteger gx, BigInteger gy) {
        static Curve named(String name) {
            X9ECParameters x9 = CustomNamedCurves.getByName(name);
            var g = x9.getG().normalize();
            return new Curve(new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH()),
                    x9.getCurve().getField().getCharacteristic(), x9.getN(),
                    g.getAffineXCoord().toBigInteger(), g.getAffineYCoord().toBigInteger());
        }

        boolean is(ECParameterSpec params) {
            return params.getCurve().getField() instanceof ECFieldFp field && field.getP().equals(p)
                    && params.getOrder().equals(order)
                    && params.getGenerator().getAffineX().equals(gx) && params.getGenerator().getAffineY().equals(gy);
        }
    }

    private static final List<Curve> CURVES = List.of(Curve.named("P-256"), Curve.named("P-384"), Curve.named("P-521"));

    private Ecdsa() {}

    /**
     * @param rs the signature as r then s, each {@code size} bytes (IEEE P1363)
     * @return the answer, or null when the key's curve is none of Bouncy Castle's custom ones
     */
    static Boolean verify(ECPublicKey key, String digest, byte[] input, byte[] rs) throws Exception {
        ECDomainParameters curve = curveOf(key);
        if (curve == null) {
            return null;
        }
        var point = curve.getCurve().validatePoint(key.getW().getAffineX(), key.getW().getAffineY());
        int half = rs.length / 2;
        var r = new BigInteger(1, Arrays.copyOfRange(rs, 0, half));
        var s = new BigInteger(1, Arrays.copyOfRange(rs, half, rs.length));
        var verifier = new ECDSASigner();
        verifier.init(false, new ECPublicKeyParameters(point, curve));
        return verifier.verifySignature(MessageDigest.getInstance(digest).digest(input), r, s);
    }

    private static ECDomainParameters curveOf(ECPublicKey key) {
        for (Curve c : CURVES) {
            if (c.is(key.getParams())) {
                return c.domain();
            }
        }
        return null;
    }
}
