package dev.plinth.engine.builtins;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sprintf} as OPA's Go implementation answers it: Go's fmt verbs, flags, width and
 * precision over the three kinds OPA hands fmt (int64 or big.Int for an integer literal,
 * float64 for one with '.', 'e' or 'E', a string; any other value as its Rego text), with
 * Go's own error forms ({@code %!d(string=hi)}, {@code %!s(MISSING)}, {@code %!(EXTRA …)}).
 * It replaces opa-java-wasm's, which formats with Java's rules (compact JSON for
 * composites, "Infinity" for 2e308).
 */
final class GoFormat {

    private GoFormat() {}

    /** One argument as OPA converts it for fmt. */
    sealed interface Arg {
        record Int(BigInteger value, boolean big) implements Arg {}

        record Float(double value) implements Arg {}

        record Str(String value) implements Arg {}
    }

    static Builtin builtin() {
        return Builtin.pure("sprintf", 2, a -> {
            String format = Args.string(a, 0);
            if (a[1] instanceof ValueText.SetNode) {
                throw Args.typeError(2, a[1], "array");
            }
            List<JsonNode> values = Args.elements(a, 1, "array");
            var args = new ArrayList<Arg>();
            for (JsonNode v : values) {
                args.add(arg(v));
            }
            return Args.text(format(format, args));
        });
    }

    static Arg arg(JsonNode v) {
        if (v.isNumber()) {
            if (v.isIntegralNumber()) {
                BigInteger i = v.bigIntegerValue();
                return new Arg.Int(i, i.bitLength() >= 64);
            }
            double d = v.doubleValue();
            if (Double.isInfinite(d)) {
                return new Arg.Str(v.decimalValue().toString().replace("E+", "e").replace("E", "e")); // Go: the number's own text
            }
            return new Arg.Float(d);
        }
        if (v.isTextual()) {
            return new Arg.Str(v.textValue());
        }
        return new Arg.Str(RegoText.of(v));
    }

    static String format(String f, List<Arg> args) {
        var out = new StringBuilder();
        int next = 0;
        int i = 0;
        while (i < f.length()) {
            char c = f.charAt(i);
            if (c != '%') {
                out.append(c);
                i++;
                continue;
            }
            i++;
            if (i >= f.length()) {
                out.append("%!(NOVERB)");
                break;
            }
            boolean minus = false;
            boolean plus = false;
            boolean sharp = false;
            boolean zero = false;
            boolean space = false;
            for (; i < f.length(); i++) {
                char fl = f.charAt(i);
                if (fl == '-') {
                    minus = true;
                } else if (fl == '+') {
                    plus = true;
                } else if (fl == '#') {
                    sharp = true;
                } else if (fl == '0') {
                    zero = true;
                } else if (fl == ' ') {
                    space = true;
                } else {
                    break;
                }
            }
            int width = -1;
            int start = i;
            while (i < f.length() && Character.isDigit(f.charAt(i))) {
                i++;
            }
            if (i > start) {
                width = Integer.parseInt(f.substring(start, i));
            }
            int prec = -1;
            if (i < f.length() && f.charAt(i) == '.') {
                i++;
                start = i;
                while (i < f.length() && Character.isDigit(f.charAt(i))) {
                    i++;
                }
                prec = i > start ? Integer.parseInt(f.substring(start, i)) : 0;
            }
            if (i >= f.length()) {
                out.append("%!(NOVERB)");
                break;
            }
            char verb = f.charAt(i++);
            if (verb == '%') {
                out.append('%');
                continue;
            }
            if (next >= args.size()) {
                out.append("%!").append(verb).append("(MISSING)");
                continue;
            }
            Arg arg = args.get(next++);
            String body = verb(verb, arg, prec, plus, sharp, space);
            if (body == null) {
                out.append("%!").append(verb).append('(').append(typeName(arg)).append('=').append(verb('v', arg, -1, false, false, false))
                        .append(')');
                continue;
            }
            pad(out, body, width, minus, zero && !minus && !(arg instanceof Arg.Int && prec >= 0));
        }
        if (next < args.size()) {
            out.append("%!(EXTRA ");
            for (int k = next; k < args.size(); k++) {
                if (k > next) {
                    out.append(", ");
                }
                out.append(typeName(args.get(k))).append('=').append(verb('v', args.get(k), -1, false, false, false));
            }
            out.append(')');
        }
        return out.toString();
    }

    private static String typeName(Arg a) {
        return switch (a) {
            case Arg.Int i -> i.big() ? "*big.Int" : "int64";
            case Arg.Float x -> "float64";
            case Arg.Str s -> "string";
        };
    }

    private static void pad(StringBuilder out, String body, int width, boolean left, boolean zero) {
        int len = body.codePointCount(0, body.length());
        if (width <= len) {
            out.append(body);
        } else if (left) {
            out.append(body).append(" ".repeat(width - len));
        } else if (zero) {
            int sign = !body.isEmpty() && (body.charAt(0) == '-' || body.charAt(0) == '+' || body.charAt(0) == ' ') ? 1 : 0;
            out.append(body, 0, sign).append("0".repeat(width - len)).append(body.substring(sign));
        } else {
            out.append(" ".repeat(width - len)).append(body);
        }
    }

    /** The formatted value, or null when the verb does not apply to the kind (Go's %!verb(type=value)). */
    private static String verb(char verb, Arg arg, int prec, boolean plus, boolean sharp, boolean space) {
        return switch (arg) {
            case Arg.Str s -> switch (verb) {
                case 's', 'v' -> prec >= 0 && prec < s.value().codePointCount(0, s.value().length())
                        ? s.value().substring(0, s.value().offsetByCodePoints(0, prec)) : s.value();
                case 'q' -> Args.F.textNode(s.value()).toString();
                case 'x', 'X' -> {
                    String h = java.util.HexFormat.of().formatHex(s.value().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    yield verb == 'X' ? h.toUpperCase(java.util.Locale.ROOT) : h;
                }
                default -> null;
            };
            case Arg.Int n -> integer(verb, n.value(), prec, plus, sharp, space, n.big());
            case Arg.Float x -> floating(verb, x.value(), prec, plus, sharp, space);
        };
    }

    private static String integer(char verb, BigInteger v, int prec, boolean plus, boolean sharp, boolean space, boolean big) {
        int radix;
        String prefix = "";
        switch (verb) {
            case 'd', 'v' -> radix = 10;
            case 's' -> {
                if (!big) {
                    return null;
                }
                radix = 10;
            }
            case 'b' -> radix = 2;
            case 'o' -> {
                radix = 8;
                prefix = sharp ? "0" : "";
            }
            case 'O' -> {
                radix = 8;
                prefix = "0o";
            }
            case 'x', 'X' -> {
                radix = 16;
                prefix = sharp ? "0x" : "";
            }
            case 'c' -> {
                return big ? null : new String(Character.toChars(v.intValue()));
            }
            default -> {
                return null;
            }
        }
        String digits = v.abs().toString(radix);
        if (verb == 'X') {
            digits = digits.toUpperCase(java.util.Locale.ROOT);
            prefix = prefix.toUpperCase(java.util.Locale.ROOT);
        }
        if (prec >= 0 && digits.length() < prec) {
            digits = "0".repeat(prec - digits.length()) + digits;
        }
        if (prec == 0 && v.signum() == 0) {
            digits = "";
        }
        String sign = v.signum() < 0 ? "-" : plus ? "+" : space ? " " : "";
        return sign + prefix + digits;
    }

    private static String floating(char verb, double d, int prec, boolean plus, boolean sharp, boolean space) {
        String body = switch (verb) {
            case 'v' -> g(d, -1, 6, sharp);
            case 'g' -> g(d, prec, prec < 0 ? 6 : Math.max(prec, 1), sharp);
            case 'G' -> g(d, prec, prec < 0 ? 6 : Math.max(prec, 1), sharp).toUpperCase(java.util.Locale.ROOT);
            case 'e' -> e(d, prec < 0 ? 6 : prec);
            case 'E' -> e(d, prec < 0 ? 6 : prec).toUpperCase(java.util.Locale.ROOT);
            case 'f', 'F' -> f(d, prec < 0 ? 6 : prec);
            default -> null;
        };
        if (body == null) {
            return null;
        }
        if (!body.startsWith("-") && (plus || space)) {
            body = (plus ? "+" : " ") + body;
        }
        return body;
    }

    private static String f(double d, int prec) {
        BigDecimal x = new BigDecimal(d).setScale(prec, RoundingMode.HALF_EVEN);
        String s = x.toPlainString();
        return d < 0 || (d == 0 && 1 / d < 0) ? (s.startsWith("-") ? s : "-" + s) : s;
    }

    /** d.ddde±XX with {@code prec} digits after the point (prec &lt; 0: the shortest that round-trips). */
    private static String e(double d, int prec) {
        BigDecimal x = prec < 0 ? new BigDecimal(Double.toString(Math.abs(d))) : new BigDecimal(Math.abs(d));
        String digits;
        int exp;
        if (x.signum() == 0) {
            digits = "0".repeat(Math.max(1, prec + 1));
            exp = 0;
        } else {
            if (prec >= 0) {
                x = x.round(new MathContext(prec + 1, RoundingMode.HALF_EVEN));
            } else {
                x = x.stripTrailingZeros();
            }
            digits = x.unscaledValue().toString();
            exp = digits.length() - 1 - x.scale();
            if (prec >= 0 && digits.length() < prec + 1) {
                digits = digits + "0".repeat(prec + 1 - digits.length());
            }
            if (prec >= 0) {
                digits = digits.substring(0, prec + 1);
            }
        }
        String mantissa = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
        String e = (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        return (d < 0 || (d == 0 && 1 / d < 0) ? "-" : "") + mantissa + "e" + e;
    }

    /** Go's %g: %e when the exponent is below -4 or at least {@code eprec}, else %f; trailing zeros dropped. */
    private static String g(double d, int prec, int eprec, boolean sharp) {
        boolean shortest = prec < 0;
        BigDecimal x = shortest ? new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros()
                : new BigDecimal(Math.abs(d)).round(new MathContext(Math.max(prec, 1), RoundingMode.HALF_EVEN));
        int exp = x.signum() == 0 ? 0 : x.precision() - x.scale() - 1;
        String neg = d < 0 || (d == 0 && 1 / d < 0) ? "-" : "";
        if (exp < -4 || exp >= eprec) {
            String digits = x.signum() == 0 ? "0" : x.unscaledValue().toString();
            if (!sharp) {
                digits = digits.replaceAll("0+$", "");
                if (digits.isEmpty()) {
                    digits = "0";
                }
            }
            String mantissa = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
            return neg + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        String plain = x.toPlainString();
        if (!sharp && plain.contains(".")) {
            plain = plain.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return neg + plain;
    }

    /** A Rego value as OPA's Value.String() writes it: JSON with ", " and ": ", sets in braces. */
    static final class RegoText {
        static String of(JsonNode v) {
            var out = new StringBuilder();
            write(v, out);
            return out.toString();
        }

        private static void write(JsonNode v, StringBuilder out) {
            if (v instanceof ValueText.SetNode set) {
                if (set.isEmpty()) {
                    out.append("set()");
                    return;
                }
                var sorted = ValueText.SetNode.of(set);
                out.append('{');
                for (int i = 0; i < sorted.size(); i++) {
                    out.append(i > 0 ? ", " : "");
                    write(sorted.get(i), out);
                }
                out.append('}');
            } else if (v.isArray()) {
                out.append('[');
                for (int i = 0; i < v.size(); i++) {
                    out.append(i > 0 ? ", " : "");
                    write(v.get(i), out);
                }
                out.append(']');
            } else if (v.isObject()) {
                var keys = new ArrayList<String>();
                v.fieldNames().forEachRemaining(keys::add);
                keys.sort(null);
                out.append('{');
                for (int i = 0; i < keys.size(); i++) {
                    out.append(i > 0 ? ", " : "").append(Args.F.textNode(keys.get(i)).toString()).append(": ");
                    write(v.get(keys.get(i)), out);
                }
                out.append('}');
            } else {
                out.append(ValueText.write(v));
            }
        }
    }
}
