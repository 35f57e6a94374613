package dev.plinth.engine.builtins;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The few DER structures Go's crypto/x509 shows a policy that the JDK's X509Certificate
 * does not hand out in order (a name's attributes, the raw TBS part, extensions as written),
 * and the wrappers that turn PKCS#1 and SEC 1 private keys into the PKCS#8 the JDK reads. A
 * reader of tag-length-value, not an ASN.1 library: the JDK parses and checks the
 * certificate itself; this only walks what it already accepted.
 */
final class Der {

    /** One element: its tag, its content, and the whole encoding. */
    record Tlv(int tag, byte[] content, byte[] encoded) {
        List<Tlv> children() {
            return read(content);
        }

        BigInteger integer() {
            return new BigInteger(content);
        }

        /** An OBJECT IDENTIFIER's arcs. */
        List<Long> oid() {
            var arcs = new ArrayList<Long>();
            long v = 0;
            for (int i = 0; i < content.length; i++) {
                v = (v << 7) | (content[i] & 0x7f);
                if ((content[i] & 0x80) == 0) {
                    if (arcs.isEmpty()) {
                        long first = v < 80 ? v / 40 : 2;
                        arcs.add(first);
                        arcs.add(v - first * 40);
                    } else {
                        arcs.add(v);
                    }
                    v = 0;
                }
            }
            return arcs;
        }

        String oidString() {
            return String.join(".", oid().stream().map(String::valueOf).toList());
        }
    }

    private Der() {}

    static List<Tlv> read(byte[] der) {
        var out = new ArrayList<Tlv>();
        int i = 0;
        while (i < der.length) {
            int start = i;
            int tag = der[i++] & 0xff;
            if (i >= der.length) {
                throw new BuiltinException("asn1: truncated element");
            }
            int len = der[i++] & 0xff;
            if (len >= 0x80) {
                int n = len & 0x7f;
                if (n == 0 || n > 4 || i + n > der.length) {
                    throw new BuiltinException("asn1: bad length");
                }
                len = 0;
                for (int k = 0; k < n; k++) {
                    len = (len << 8) | (der[i++] & 0xff);
                }
            }
            if (len < 0 || i + len > der.length) {
                throw new BuiltinException("asn1: truncated element");
            }
            out.add(new Tlv(tag, Arrays.copyOfRange(der, i, i + len), Arrays.copyOfRange(der, start, i + len)));
            i += len;
        }
        return out;
    }

    static Tlv one(byte[] der) {
        var all = read(der);
        if (all.size() != 1) {
            throw new BuiltinException("asn1: expected one element");
        }
        return all.get(0);
    }

    static byte[] encode(int tag, byte[]... parts) {
        var body = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            body.writeBytes(p);
        }
        byte[] content = body.toByteArray();
        var out = new ByteArrayOutputStream();
        out.write(tag);
        int len = content.length;
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else if (len < 0x10000) {
            out.write(0x82);
            out.write(len >> 8);
            out.write(len);
        } else {
            out.write(0x83);
            out.write(len >> 16);
            out.write(len >> 8);
            out.write(len);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static final byte[] RSA_ALGORITHM = encode(0x30, encode(0x06, new byte[] {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01}), new byte[] {0x05, 0x00});
    private static final byte[] EC_PUBLIC_KEY = encode(0x06, new byte[] {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01});
    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

    /** A PKCS#1 RSAPrivateKey as PKCS#8. */
    static byte[] pkcs8FromPkcs1(byte[] pkcs1) {
        return encode(0x30, VERSION_0, RSA_ALGORITHM, encode(0x04, pkcs1));
    }

    /** A SEC 1 ECPrivateKey (with its curve named in [0]) as PKCS#8. */
    static byte[] pkcs8FromSec1(byte[] sec1) {
        Tlv curve = null;
        for (Tlv t : one(sec1).children()) {
            if (t.tag() == 0xa0) {
                curve = one(t.content());
            }
        }
        if (curve == null) {
            throw new BuiltinException("x509: EC private key without named curve");
        }
        return encode(0x30, VERSION_0, encode(0x30, EC_PUBLIC_KEY, curve.encoded()), encode(0x04, sec1));
    }
}
