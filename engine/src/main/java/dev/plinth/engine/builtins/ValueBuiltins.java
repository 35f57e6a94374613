package dev.plinth.engine.builtins;

import static dev.plinth.engine.builtins.Args.string;
import static dev.plinth.engine.builtins.Args.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * semver, units, uuid, numbers.range_step, object.subset, trace, opa.runtime and the impure rand/uuid/time.now_ns.
 * Semver follows OPA's own parser (internal/semver: an optional leading "v", SemVer 2.0
 * identifiers, no leading zeros), which no Java semver library reproduces exactly.
 */
final class ValueBuiltins {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern META = Pattern.compile("^[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*$");
    private static final long MAX_RANGE = 10_000_000; // a range beyond this would exhaust the module's memory first

    private ValueBuiltins() {}

    static List<Builtin> all() {
        return List.of(
                // trace adds a note to an explanation; Plinth's engine evaluates without one, so
                // the note is dropped and the call is true, as OPA answers with tracing off.
                Builtin.pure("trace", 1, a -> {
                    Args.string(a, 0);
                    return Args.bool(true);
                }),
                // opa.runtime describes the OPA process it runs in (its environment variables, its
                // configuration). Plinth is not that process, and its environment holds what a
                // policy must never read (credentials, secret paths), so it answers as OPA's
                // evaluator embedded without a runtime does: an empty object. A constant, so a
                // module calling it stays cacheable.
                Builtin.pure("opa.runtime", 0, a -> Args.F.objectNode()),
                Builtin.pure("semver.is_valid", 1, a -> Args.bool(a[0].isTextual() && Semver.parse(a[0].textValue()) != null)),
                Builtin.pure("semver.compare", 2, ValueBuiltins::semverCompare),
                Builtin.pure("units.parse", 1, a -> Units.parse(string(a, 0))),
                Builtin.pure("units.parse_bytes", 1, a -> Units.parseBytes(string(a, 0))),
                Builtin.pure("uuid.parse", 1, a -> Uuids.parse(string(a, 0))),
                Builtin.pure("numbers.range_step", 3, ValueBuiltins::rangeStep),
                Builtin.pure("object.subset", 2, a -> Args.bool(subset(a[0], a[1]))),
                Builtin.impure("time.now_ns", 0, a -> nanos(Evaluation.current().now())),
                Builtin.impure("rand.intn", 2, ValueBuiltins::randIntn),
                Builtin.impure("uuid.rfc4122", 1, a -> Evaluation.current().memoized("uuid.rfc4122", a, () -> {
                    byte[] b = new byte[16];
                    RANDOM.nextBytes(b);
                    b[6] = (byte) (b[6] & 0x0f | 0x40);
                    b[8] = (byte) (b[8] & 0x3f | 0x80);
                    String h = HexFormat.of().formatHex(b);
                    return text(h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20)
                            + "-" + h.substring(20));
                })));
    }

    static JsonNode nanos(java.time.Instant t) {
        return Args.F.numberNode(BigInteger.valueOf(t.getEpochSecond()).multiply(BigInteger.valueOf(1_000_000_000))
                .add(BigInteger.valueOf(t.getNano())).longValueExact());
    }

    private static JsonNode randIntn(JsonNode[] a) {
        String key = string(a, 0);
        int n = Args.integer(a, 1);
        if (n == 0) {
            return Args.num(0);
        }
        int bound = Math.abs(n);
        return Evaluation.current().memoized("rand.intn", new JsonNode[] {text(key), Args.num(bound)},
                () -> Args.num(RANDOM.nextInt(bound)));
    }

    private static JsonNode semverCompare(JsonNode[] a) {
        Semver x = Semver.parse(string(a, 0));
        if (x == null) {
            throw new BuiltinException("operand 1: string " + a[0].textValue() + " is not a valid SemVer");
        }
        Semver y = Semver.parse(string(a, 1));
        if (y == null) {
            throw new BuiltinException("operand 2: string " + a[1].textValue() + " is not a valid SemVer");
        }
        return Args.num(x.compareTo(y));
    }

    record Semver(long major, long minor, long patch, String pre) implements Comparable<Semver> {
        static Semver parse(String v) {
            if (v.startsWith("v")) {
                v = v.substring(1);
            }
            int plus = v.indexOf('+');
            if (plus >= 0) {
                if (!META.matcher(v.substring(plus + 1)).matches()) {
                    return null;
                }
                v = v.substring(0, plus);
            }
            String pre = "";
            int dash = v.indexOf('-');
            if (dash >= 0) {
                pre = v.substring(dash + 1);
                v = v.substring(0, dash);
                if (!META.matcher(pre).matches()) {
                    return null;
                }
                for (String id : pre.split("\\.")) {
                    if (id.length() > 1 && id.charAt(0) == '0' && id.chars().allMatch(Character::isDigit)) {
                        return null;
                    }
                }
            }
            String[] parts = v.split("\\.", -1);
            if (parts.length != 3) {
                return null;
            }
            long[] n = new long[3];
            for (int i = 0; i < 3; i++) {
                String p = parts[i];
                if (p.isEmpty() || p.charAt(0) == '+' || p.charAt(0) == '-' || (p.length() > 1 && p.charAt(0) == '0')
                        || !p.chars().allMatch(Character::isDigit)) {
                    return null;
                }
                try {
                    n[i] = Long.parseLong(p);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            return new Semver(n[0], n[1], n[2], pre);
        }

        @Override
        public int compareTo(Semver o) {
            int c = Long.compare(major, o.major);
            if (c == 0) {
                c = Long.compare(minor, o.minor);
            }
            if (c == 0) {
                c = Long.compare(patch, o.patch);
            }
            if (c != 0) {
                return Integer.signum(c);
            }
            if (pre.equals(o.pre)) {
                return 0;
            }
            if (pre.isEmpty()) {
                return 1;
            }
            if (o.pre.isEmpty()) {
                return -1;
            }
            String[] a = pre.split("\\.", -1);
            String[] b = o.pre.split("\\.", -1);
            for (int i = 0; i < Math.min(a.length, b.length); i++) {
                boolean ai = a[i].chars().allMatch(Character::isDigit);
                boolean bi = b[i].chars().allMatch(Character::isDigit);
                if (ai != bi) {
                    return ai ? -1 : 1;
                }
                int d = ai ? new BigInteger(a[i]).compareTo(new BigInteger(b[i])) : a[i].compareTo(b[i]);
                if (d != 0) {
                    return Integer.signum(d);
                }
            }
            return Integer.compare(a.length, b.length);
        }
    }

    private static JsonNode rangeStep(JsonNode[] a) {
        BigInteger x = bigInt(a, 0);
        BigInteger y = bigInt(a, 1);
        BigInteger step = bigInt(a, 2);
        if (step.signum() <= 0) {
            throw new BuiltinException("numbers.range_step: step must be a positive integer");
        }
        if (x.subtract(y).abs().divide(step).compareTo(BigInteger.valueOf(MAX_RANGE)) > 0) {
            throw new BuiltinException.Halt("numbers.range_step: the range has more than " + MAX_RANGE + " numbers");
        }
        var out = Args.F.arrayNode();
        boolean up = x.compareTo(y) <= 0;
        for (BigInteger i = x; up ? i.compareTo(y) <= 0 : i.compareTo(y) >= 0; i = up ? i.add(step) : i.subtract(step)) {
            out.add(ValueText.numberNode(new BigDecimal(i), true));
        }
        return out;
    }

    private static BigInteger bigInt(JsonNode[] a, int i) {
        BigDecimal d = Args.number(a, i);
        if (d.stripTrailingZeros().scale() > 0) {
            throw new BuiltinException("operand " + (i + 1) + " must be integer number but got floating-point number");
        }
        return d.toBigIntegerExact();
    }

    static boolean equal(JsonNode a, JsonNode b) {
        return Order.INSTANCE.compare(a, b) == 0;
    }

    private static boolean contains(JsonNode set, JsonNode e) {
        for (JsonNode x : set) {
            if (equal(x, e)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSet(JsonNode v) {
        return v instanceof ValueText.SetNode;
    }

    private static boolean isArray(JsonNode v) {
        return v.isArray() && !isSet(v);
    }

    static boolean subset(JsonNode sup, JsonNode sub) {
        if (sup.isObject() && sub.isObject()) {
            return objectSubset(sup, sub);
        }
        if (isSet(sup) && isSet(sub)) {
            return setSubset(sup, sub);
        }
        if (isArray(sup) && isArray(sub)) {
            return arraySubset(sup, sub);
        }
        if (isArray(sup) && isSet(sub)) {
            int unmatched = sub.size();
            for (JsonNode t : sup) {
                if (contains(sub, t)) {
                    unmatched--;
                }
                if (unmatched == 0) {
                    return true;
                }
            }
            return false;
        }
        throw new BuiltinException("both arguments object.subset must be of the same type or array and set");
    }

    private static boolean objectSubset(JsonNode sup, JsonNode sub) {
        for (Map.Entry<String, JsonNode> e : sub.properties()) {
            JsonNode s = sup.get(e.getKey());
            if (s == null) {
                return false;
            }
            JsonNode t = e.getValue();
            if (equal(t, s)) {
                continue;
            }
            boolean ok = s.isObject() && t.isObject() ? objectSubset(s, t)
                    : isSet(s) && isSet(t) ? setSubset(s, t)
                    : isArray(s) && isArray(t) && arraySubset(s, t);
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean setSubset(JsonNode sup, JsonNode sub) {
        for (JsonNode e : sub) {
            if (!contains(sup, e)) {
                return false;
            }
        }
        return true;
    }

    private static boolean arraySubset(JsonNode sup, JsonNode sub) {
        if (sub.size() > sup.size()) {
            return false;
        }
        if (equal(sup, sub)) {
            return true;
        }
        int superCursor = 0;
        int subCursor = 0;
        while (true) {
            if (subCursor == sub.size()) {
                return true;
            }
            if (superCursor + subCursor == sup.size()) {
                return false;
            }
            if (equal(sup.get(superCursor + subCursor), sub.get(subCursor))) {
                subCursor++;
            } else {
                superCursor++;
                subCursor = 0;
            }
        }
    }

    /** units.parse and units.parse_bytes, as OPA reads amounts: a number, then a unit, no spaces. */
    static final class Units {
        private static final BigDecimal MILLI = new BigDecimal(0.001); // OPA multiplies by the float64 0.001

        static JsonNode parseBytes(String raw) {
            String s = raw.toLowerCase(Locale.ROOT).replace("\"", "");
            if (s.contains(" ")) {
                throw new BuiltinException("units.parse_bytes: spaces not allowed in resource strings");
            }
            String[] nu = split(s, "units.parse_bytes");
            if (nu[0].isEmpty()) {
                throw new BuiltinException("units.parse_bytes: no byte amount provided");
            }
            BigInteger m = switch (nu[1]) {
                case "" -> BigInteger.ONE;
                case "kb", "k" -> BigInteger.TEN.pow(3);
                case "kib", "ki" -> BigInteger.TWO.pow(10);
                case "mb", "m" -> BigInteger.TEN.pow(6);
                case "mib", "mi" -> BigInteger.TWO.pow(20);
                case "gb", "g" -> BigInteger.TEN.pow(9);
                case "gib", "gi" -> BigInteger.TWO.pow(30);
                case "tb", "t" -> BigInteger.TEN.pow(12);
                case "tib", "ti" -> BigInteger.TWO.pow(40);
                case "pb", "p" -> BigInteger.TEN.pow(15);
                case "pib", "pi" -> BigInteger.TWO.pow(50);
                case "eb", "e" -> BigInteger.TEN.pow(18);
                case "eib", "ei" -> BigInteger.TWO.pow(60);
                default -> throw new BuiltinException("units.parse_bytes: byte unit " + nu[1] + " not recognized");
            };
            BigDecimal n = amount(nu[0], "units.parse_bytes: could not parse byte amount to a number");
            return ValueText.numberNode(new BigDecimal(n.multiply(new BigDecimal(m)).toBigInteger()), true);
        }

        static JsonNode parse(String raw) {
            String s = raw.replace("\"", "");
            if (s.contains(" ")) {
                throw new BuiltinException("units.parse: spaces not allowed in resource strings");
            }
            String[] nu = split(s, "units.parse");
            if (nu[0].isEmpty()) {
                throw new BuiltinException("units.parse: no amount provided");
            }
            String unit = nu[1].length() > 1 ? nu[1].charAt(0) + nu[1].substring(1).toLowerCase(Locale.ROOT) : nu[1];
            BigDecimal m = switch (unit) {
                case "m" -> MILLI;
                case "" -> BigDecimal.ONE;
                case "k", "K" -> BigDecimal.TEN.pow(3);
                case "ki", "Ki" -> new BigDecimal(BigInteger.TWO.pow(10));
                case "M" -> BigDecimal.TEN.pow(6);
                case "mi", "Mi" -> new BigDecimal(BigInteger.TWO.pow(20));
                case "g", "G" -> BigDecimal.TEN.pow(9);
                case "gi", "Gi" -> new BigDecimal(BigInteger.TWO.pow(30));
                case "t", "T" -> BigDecimal.TEN.pow(12);
                case "ti", "Ti" -> new BigDecimal(BigInteger.TWO.pow(40));
                case "p", "P" -> BigDecimal.TEN.pow(15);
                case "pi", "Pi" -> new BigDecimal(BigInteger.TWO.pow(50));
                case "e", "E" -> BigDecimal.TEN.pow(18);
                case "ei", "Ei" -> new BigDecimal(BigInteger.TWO.pow(60));
                default -> throw new BuiltinException("units.parse: unit " + unit + " not recognized");
            };
            BigDecimal v = amount(nu[0], "units.parse: could not parse amount to a number").multiply(m);
            if (v.stripTrailingZeros().scale() <= 0) {
                return ValueText.numberNode(v, true);
            }
            return ValueText.numberNode(v.setScale(10, RoundingMode.HALF_UP), false);
        }

        private static BigDecimal amount(String s, String error) {
            try {
                return new BigDecimal(s.startsWith(".") ? "0" + s : s.endsWith(".") ? s + "0" : s);
            } catch (NumberFormatException e) {
                throw new BuiltinException(error);
            }
        }

        /** OPA's extractNumAndUnit: digits, '.', and an exponent (at most 6 digits), then the unit. */
        private static String[] split(String s, String name) {
            int first = -1;
            for (int i = 0; i < s.length(); i++) {
                char r = s.charAt(i);
                if (!Character.isDigit(r) && r != '.' && r != 'e' && r != 'E' && r != '+' && r != '-') {
                    first = i;
                    break;
                }
                if (r == 'e' || r == 'E') {
                    if (i == s.length() - 1 || (!Character.isDigit(s.charAt(i + 1)) && s.charAt(i + 1) != '+' && s.charAt(i + 1) != '-')) {
                        first = i;
                        break;
                    }
                    if (s.charAt(i + 1) == '+' || s.charAt(i + 1) == '-') {
                        i++;
                    }
                    int start = i + 1;
                    int end = start;
                    while (end < s.length() && Character.isDigit(s.charAt(end))) {
                        end++;
                    }
                    if (end - start > 6) {
                        throw new BuiltinException(name + ": exponent too large");
                    }
                }
            }
            if (first == -1) {
                return new String[] {s, ""};
            }
            return new String[] {s.substring(0, first), s.substring(first)};
        }
    }

    /** uuid.parse, as google/uuid parses and OPA reports (version, variant; time, node and clock for v1/v2). */
    static final class Uuids {
        static JsonNode parse(String s) {
            String hex;
            if (s.length() == 36) {
                hex = canonical(s);
            } else if (s.length() == 38) { // google/uuid drops the first and last characters unchecked (meant as braces)
                hex = canonical(s.substring(1, 37));
            } else if (s.length() == 45 && s.regionMatches(true, 0, "urn:uuid:", 0, 9)) {
                hex = canonical(s.substring(9));
            } else if (s.length() == 32) {
                hex = s;
            } else {
                return null; // OPA answers undefined for an unparsable UUID
            }
            byte[] u;
            try {
                u = HexFormat.of().parseHex(hex);
            } catch (IllegalArgumentException e) {
                return null;
            }
            ObjectNode out = Args.F.objectNode();
            int version = (u[6] & 0xff) >> 4;
            out.put("version", version);
            int v = u[8] & 0xff;
            out.put("variant", (v & 0xc0) == 0x80 ? "RFC4122" : (v & 0xe0) == 0xc0 ? "Microsoft" : (v & 0xe0) == 0xe0 ? "Future" : "Reserved");
            if (version == 1 || version == 2) {
                long timeLow = ((u[0] & 0xffL) << 24 | (u[1] & 0xffL) << 16 | (u[2] & 0xffL) << 8 | (u[3] & 0xffL));
                long time = timeLow | ((u[4] & 0xffL) << 8 | (u[5] & 0xffL)) << 32 | (((u[6] & 0xffL) << 8 | (u[7] & 0xffL)) & 0xfff) << 48;
                long t = time - 122_192_928_000_000_000L;
                out.put("time", (t / 10_000_000) * 1_000_000_000L + (t % 10_000_000) * 100);
                var node = new StringBuilder();
                for (int i = 10; i < 16; i++) {
                    node.append(i > 10 ? "-" : "").append(HexFormat.of().toHexDigits(u[i]));
                }
                out.put("nodeid", node.toString());
                int b = u[10] & 0xff;
                out.put("macvariables", (b & 3) == 3 ? "local:multicast" : (b & 1) == 1 ? "global:multicast"
                        : (b & 2) == 2 ? "local:unicast" : "global:unicast");
                out.put("clocksequence", ((u[8] & 0xff) << 8 | (u[9] & 0xff)) & 0x3fff);
                if (version == 2) {
                    out.put("id", (u[0] & 0xffL) << 24 | (u[1] & 0xffL) << 16 | (u[2] & 0xffL) << 8 | (u[3] & 0xffL));
                    int d = u[9] & 0xff;
                    out.put("domain", d == 0 ? "Person" : d == 1 ? "Group" : d == 2 ? "Org" : "Domain" + d);
                }
            }
            return out;
        }

        private static String canonical(String s) {
            if (s.charAt(8) != '-' || s.charAt(13) != '-' || s.charAt(18) != '-' || s.charAt(23) != '-') {
                return "not hex";
            }
            return s.replace("-", "");
        }
    }
}
