package dev.plinth.engine.builtins;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * net.cidr_* that the wasm target leaves to the host, on addresses parsed as Go's
 * {@code net.ParseIP}/{@code ParseCIDR} parse them (no DNS, no zones, no leading zeros in
 * IPv4) and printed as Go prints them. Written here because no Java IP library follows
 * Go's rules (IPv4-mapped addresses, class masks for a bare IPv4 in cidr_merge).
 */
final class NetBuiltins {

    private static final long MAX_EXPAND = 1L << 20; // cidr_expand of a larger network would exhaust the module's memory

    private NetBuiltins() {}

    static List<Builtin> all() {
        return List.of(
                Builtin.pure("net.cidr_is_valid", 1, a -> Args.bool(a[0].isTextual() && Cidr.parse(a[0].textValue()) != null)),
                Builtin.pure("net.cidr_contains_matches", 2, NetBuiltins::containsMatches),
                Builtin.pure("net.cidr_expand", 1, NetBuiltins::expand),
                Builtin.pure("net.cidr_merge", 1, NetBuiltins::merge));
    }

    /** An address: 4 bytes for IPv4 (and IPv4-mapped IPv6), 16 for IPv6. */
    static byte[] parseIp(String s) {
        if (s.indexOf(':') < 0) {
            return parseV4(s);
        }
        byte[] v6 = parseV6(s);
        if (v6 == null) {
            return null;
        }
        boolean mapped = true;
        for (int i = 0; i < 10; i++) {
            mapped &= v6[i] == 0;
        }
        mapped &= v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
        return mapped ? Arrays.copyOfRange(v6, 12, 16) : v6;
    }

    private static byte[] parseV4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0') || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    private static byte[] parseV6(String s) {
        int ellipsis = s.indexOf("::");
        if (ellipsis >= 0 && s.indexOf("::", ellipsis + 1) >= 0) {
            return null;
        }
        var groups = new ArrayList<Integer>();
        int before = -1;
        String rest = s;
        if (ellipsis >= 0) {
            String head = s.substring(0, ellipsis);
            rest = s.substring(ellipsis + 2);
            if (!head.isEmpty() && !groups(head, groups, false)) {
                return null;
            }
            before = groups.size();
        }
        if (!rest.isEmpty() && !groups(rest, groups, true)) {
            return null;
        }
        if (ellipsis < 0 && groups.size() != 8 || ellipsis >= 0 && groups.size() > 7) {
            return null;
        }
        byte[] out = new byte[16];
        int fill = 8 - groups.size();
        int g = 0;
        for (int i = 0; i < 8; i++) {
            int value;
            if (before >= 0 && i >= before && i < before + fill) {
                value = 0;
            } else {
                value = groups.get(g++);
            }
            out[2 * i] = (byte) (value >> 8);
            out[2 * i + 1] = (byte) value;
        }
        return out;
    }

    private static boolean groups(String s, List<Integer> out, boolean mayEndInV4) {
        String[] parts = s.split(":", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (mayEndInV4 && i == parts.length - 1 && p.indexOf('.') >= 0) {
                byte[] v4 = parseV4(p);
                if (v4 == null) {
                    return false;
                }
                out.add((v4[0] & 0xff) << 8 | (v4[1] & 0xff));
                out.add((v4[2] & 0xff) << 8 | (v4[3] & 0xff));
                continue;
            }
            if (p.isEmpty() || p.length() > 4) {
                return false;
            }
            try {
                out.add(Integer.parseInt(p, 16));
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }

    /** Go's IP.String. */
    static String format(byte[] ip) {
        if (ip.length == 4) {
            return (ip[0] & 0xff) + "." + (ip[1] & 0xff) + "." + (ip[2] & 0xff) + "." + (ip[3] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && ip[2 * j] == 0 && ip[2 * j + 1] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        var out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString((ip[2 * i] & 0xff) << 8 | (ip[2 * i + 1] & 0xff)));
        }
        return out.toString();
    }

    /** A network: its address as written (masked by ParseCIDR) and its prefix, in the address's width. */
    record Cidr(byte[] ip, int prefix) {
        static Cidr parse(String s) {
            int slash = s.indexOf('/');
            if (slash < 0) {
                return null;
            }
            String len = s.substring(slash + 1);
            if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (len.length() > 1 && len.charAt(0) == '0')) {
                return null;
            }
            String addr = s.substring(0, slash);
            boolean v6Text = addr.indexOf(':') >= 0;
            byte[] ip = parseIp(addr);
            if (ip == null) {
                return null;
            }
            int prefix = Integer.parseInt(len);
            int bits = v6Text ? 128 : 32;
            if (prefix > bits) {
                return null;
            }
            if (v6Text && ip.length == 4) {
                prefix = Math.max(0, prefix - 96); // an IPv4-mapped network keeps the mask's IPv4 part
            }
            return new Cidr(mask(ip, prefix), prefix);
        }

        boolean contains(byte[] other) {
            if (other.length != ip.length) {
                return false;
            }
            for (int i = 0; i < ip.length; i++) {
                int keep = Math.max(0, Math.min(8, prefix - 8 * i));
                if (keep == 0) {
                    return true;
                }
                int m = 0xff << (8 - keep) & 0xff;
                if ((other[i] & m) != (ip[i] & 0xff)) {
                    return false;
                }
            }
            return true;
        }

        BigInteger first() {
            return new BigInteger(1, ip);
        }

        BigInteger last() {
            return first().or(BigInteger.ONE.shiftLeft(ip.length * 8 - prefix).subtract(BigInteger.ONE));
        }

        @Override
        public String toString() {
            return format(ip) + "/" + prefix;
        }
    }

    static byte[] mask(byte[] ip, int prefix) {
        byte[] out = ip.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    /** Parsed networks and addresses by their text: policies match the same allow-lists on every call. */
    private static final com.github.benmanes.caffeine.cache.Cache<String, java.util.Optional<Cidr>> NETWORKS =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(100_000).build();
    private static final com.github.benmanes.caffeine.cache.Cache<String, java.util.Optional<byte[]>> ADDRESSES =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(100_000).build();

    private static Cidr cidr(String s) {
        return NETWORKS.get(s, k -> java.util.Optional.ofNullable(Cidr.parse(k))).orElse(null);
    }

    private static byte[] address(String s) {
        return ADDRESSES.get(s, k -> java.util.Optional.ofNullable(parseIp(k))).orElse(null);
    }

    /** cidr_contains: an address or a network in a network. */
    static boolean contains(String network, String candidate) {
        Cidr a = cidr(network);
        if (a == null) {
            throw new BuiltinException("invalid CIDR address: " + network);
        }
        byte[] ip = address(candidate);
        if (ip != null) {
            return a.contains(ip);
        }
        Cidr b = cidr(candidate);
        if (b == null) {
            throw new BuiltinException("not a valid textual representation of an IP address or CIDR: " + candidate);
        }
        if (a.ip.length == 16 && b.ip.length == 16) {
            return a.prefix <= b.prefix && Arrays.equals(mask(b.ip, a.prefix), a.ip);
        }
        return a.contains(b.ip) && a.contains(Args.unsigned(b.last(), b.ip.length));
    }

    private interface Visit {
        void accept(JsonNode cidr, JsonNode index);
    }

    private static void operand(int n, JsonNode v, Visit visit) {
        if (v.isTextual()) {
            visit.accept(v, v);
        } else if (v instanceof ValueText.SetNode) {
            for (JsonNode x : v) {
                visit.accept(matchTerm(n, x), x);
            }
        } else if (v.isArray()) {
            for (int i = 0; i < v.size(); i++) {
                visit.accept(matchTerm(n, v.get(i)), Args.num(i));
            }
        } else if (v.isObject()) {
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                visit.accept(matchTerm(n, e.getValue()), Args.text(e.getKey()));
            }
        } else {
            throw Args.typeError(n, v, "string, array, set, or object");
        }
    }

    private static JsonNode matchTerm(int n, JsonNode v) {
        if (v.isTextual()) {
            return v;
        }
        if (v.isArray() && !(v instanceof ValueText.SetNode) && !v.isEmpty()) {
            return v.get(0);
        }
        throw new BuiltinException("operand " + n + ": element must be string or non-empty array");
    }

    private static JsonNode containsMatches(JsonNode[] a) {
        var found = new ArrayList<JsonNode>();
        operand(1, a[0], (c1, i1) -> operand(2, a[1], (c2, i2) -> {
            if (!c1.isTextual() || !c2.isTextual()) {
                throw new BuiltinException("cidr and address must be strings");
            }
            if (contains(c1.textValue(), c2.textValue())) {
                found.add(Args.array(List.of(i1, i2)));
            }
        }));
        return ValueText.SetNode.of(found);
    }

    private static JsonNode expand(JsonNode[] a) {
        Cidr c = Cidr.parse(Args.string(a, 0));
        if (c == null) {
            throw new BuiltinException("invalid CIDR address: " + a[0].textValue());
        }
        BigInteger count = c.last().subtract(c.first()).add(BigInteger.ONE);
        if (count.compareTo(BigInteger.valueOf(MAX_EXPAND)) > 0) {
            throw new BuiltinException.Halt("net.cidr_expand: " + c + " has more than " + MAX_EXPAND + " addresses");
        }
        var out = new ArrayList<JsonNode>();
        for (BigInteger i = c.first(); i.compareTo(c.last()) <= 0; i = i.add(BigInteger.ONE)) {
            out.add(Args.text(format(Args.unsigned(i, c.ip.length))));
        }
        return ValueText.SetNode.of(out);
    }

    private record Range(int width, BigInteger first, BigInteger last, String network) {}

    private static JsonNode merge(JsonNode[] a) {
        if (!a[0].isArray()) {
            throw new BuiltinException("operand must be an array");
        }
        var ranges = new ArrayList<Range>();
        for (JsonNode e : a[0]) {
            if (!e.isTextual()) {
                throw new BuiltinException("element must be string");
            }
            String s = e.textValue();
            byte[] ip = parseIp(s);
            Cidr c;
            String written;
            if (ip == null) {
                c = Cidr.parse(s);
                if (c == null) {
                    throw new BuiltinException("invalid CIDR address: " + s);
                }
                written = c.toString();
            } else if (ip.length == 4) {
                int first = ip[0] & 0xff;
                // Go's IP.DefaultMask: the classful mask, the address left unmasked in the answer.
                int prefix = first < 0x80 ? 8 : first < 0xc0 ? 16 : first < 0xe0 ? 24 : -1;
                if (prefix < 0) {
                    throw new BuiltinException("no default mask for " + s);
                }
                c = new Cidr(mask(ip, prefix), prefix);
                written = format(ip) + "/" + prefix;
            } else {
                throw new BuiltinException("IPv6 invalid: needs prefix length");
            }
            ranges.add(new Range(c.ip.length, c.first(), c.last(), written));
        }
        ranges.sort((x, y) -> x.width != y.width ? Integer.compare(x.width, y.width)
                : x.last.compareTo(y.last) != 0 ? x.last.compareTo(y.last) : x.first.compareTo(y.first));
        for (int i = ranges.size() - 1; i > 0; i--) {
            Range cur = ranges.get(i);
            Range prev = ranges.get(i - 1);
            if (cur.width == prev.width && cur.first.subtract(BigInteger.ONE).max(BigInteger.ZERO).compareTo(prev.last) <= 0) {
                ranges.set(i - 1, new Range(cur.width, prev.first.min(cur.first), cur.last, null));
                ranges.remove(i);
            }
        }
        var out = new ArrayList<JsonNode>();
        for (Range r : ranges) {
            if (r.network != null) {
                out.add(Args.text(r.network));
            } else {
                for (String c : rangeToCidrs(r)) {
                    out.add(Args.text(c));
                }
            }
        }
        return ValueText.SetNode.of(out);
    }

    /** The fewest networks covering exactly [first, last]. */
    private static List<String> rangeToCidrs(Range r) {
        var out = new ArrayList<String>();
        int bits = r.width * 8;
        BigInteger at = r.first;
        while (at.compareTo(r.last) <= 0) {
            int size = at.signum() == 0 ? bits : at.getLowestSetBit();
            size = Math.min(size, bits);
            while (size > 0 && at.add(BigInteger.ONE.shiftLeft(size)).subtract(BigInteger.ONE).compareTo(r.last) > 0) {
                size--;
            }
            out.add(format(Args.unsigned(at, r.width)) + "/" + (bits - size));
            at = at.add(BigInteger.ONE.shiftLeft(size));
        }
        return out;
    }
}
