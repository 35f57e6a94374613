package dev.plinth.engine.builtins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;

/**
 * Rego values as the wasm module writes and reads them ({@code opa_value_dump} and
 * {@code opa_value_parse}): JSON plus sets ({@code {1, 2}}, {@code set()}). The binding's own
 * path goes through JSON, which turns a set into an array; a builtin that answers a set
 * (net.cidr_expand, graph.reachable) or tells a set argument from an array (object.subset)
 * needs the difference, so Plinth's host builtins read and write this form. Sets are
 * {@link SetNode}s; numbers stay exact (a long, or a BigInteger/BigDecimal beyond it).
 */
public final class ValueText {

    private static final JsonNodeFactory F = JsonNodeFactory.withExactBigDecimals(true);

    private ValueText() {}

    /** A Rego set: an array node whose elements are distinct, marked so it is written back as a set. */
    public static final class SetNode extends ArrayNode {
        public SetNode() {
            super(F);
        }

        /** A deep copy that stays a set (Jackson's would be a plain array). */
        @Override
        public SetNode deepCopy() {
            var copy = new SetNode();
            forEach(e -> copy.add(e.deepCopy()));
            return copy;
        }

        /** A set of these elements (duplicates dropped, OPA's order: sorted by {@link Order}). */
        public static SetNode of(Iterable<? extends JsonNode> elements) {
            var sorted = new ArrayList<JsonNode>();
            elements.forEach(sorted::add);
            sorted.sort(Order.INSTANCE);
            var set = new SetNode();
            JsonNode last = null;
            for (JsonNode e : sorted) {
                if (last == null || Order.INSTANCE.compare(last, e) != 0) {
                    set.add(e);
                }
                last = e;
            }
            return set;
        }
    }

    /**
     * The value as OPA's JSON answers it: a set becomes the array of its elements in OPA's
     * order (sorted, as the Go evaluator writes sets); a fractional number is the nearest
     * float64, as the module's own JSON writer and the Go evaluator answer a computed one
     * (the value writer prints the module's decimal to 18 digits); everything else as it is.
     */
    public static JsonNode json(JsonNode value) {
        if (value.isNumber()) {
            // The nodes Jackson's default reading of the module's JSON gives, so answers compare
            // equal to JSON parsed elsewhere: int, long or big integer; a double otherwise.
            if (value.isIntegralNumber() || value.decimalValue().stripTrailingZeros().scale() <= 0) {
                BigInteger i = value.isIntegralNumber() ? value.bigIntegerValue() : value.decimalValue().toBigIntegerExact();
                if (i.bitLength() < 32) {
                    return F.numberNode(i.intValue());
                }
                return i.bitLength() < 64 ? F.numberNode(i.longValue()) : F.numberNode(i);
            }
            return F.numberNode(value.doubleValue());
        }
        if (value instanceof SetNode set) {
            ArrayNode out = F.arrayNode();
            SetNode.of(set).forEach(e -> out.add(json(e)));
            return out;
        }
        if (value.isArray()) {
            ArrayNode out = F.arrayNode();
            value.forEach(e -> out.add(json(e)));
            return out;
        }
        if (value.isObject()) {
            ObjectNode out = F.objectNode();
            value.properties().forEach(e -> out.set(e.getKey(), json(e.getValue())));
            return out;
        }
        return value;
    }

    /** Whether a value holds a set anywhere (so it has no JSON form). */
    public static boolean hasSet(JsonNode value) {
        if (value instanceof SetNode) {
            return true;
        }
        for (JsonNode child : value) {
            if (hasSet(child)) {
                return true;
            }
        }
        return false;
    }

    public static JsonNodeFactory factory() {
        return F;
    }

    public static JsonNode parse(String text) {
        var p = new Parser(text);
        JsonNode v = p.value();
        p.skip();
        if (p.at < text.length()) {
            throw new IllegalArgumentException("trailing data in a Rego value at " + p.at);
        }
        return v;
    }

    public static String write(JsonNode value) {
        var out = new StringBuilder();
        write(value, out, false);
        return out.toString();
    }

    /**
     * Go's {@code json.Marshal} of a Rego value, as OPA signs it: sets as arrays, object keys
     * sorted, and '<', '>', '&amp;', U+2028 and U+2029 escaped.
     */
    public static String goJson(JsonNode value) {
        var out = new StringBuilder();
        write(value, out, true);
        return out.toString();
    }

    private static void write(JsonNode v, StringBuilder out, boolean go) {
        if (v instanceof SetNode set && !go) {
            if (set.isEmpty()) {
                out.append("set()");
                return;
            }
            out.append('{');
            for (int i = 0; i < set.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(set.get(i), out, false);
            }
            out.append('}');
        } else if (v.isArray()) {
            out.append('[');
            for (int i = 0; i < v.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(v.get(i), out, go);
            }
            out.append(']');
        } else if (v.isObject()) {
            out.append('{');
            var keys = new ArrayList<String>();
            v.fieldNames().forEachRemaining(keys::add);
            if (go) {
                keys.sort(null);
            }
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                string(keys.get(i), out, go);
                out.append(':');
                write(v.get(keys.get(i)), out, go);
            }
            out.append('}');
        } else if (v.isNumber()) {
            out.append(number(v));
        } else if (v.isTextual()) {
            string(v.textValue(), out, go);
        } else {
            out.append(v.toString()); // string (JSON-escaped), boolean, null
        }
    }

    private static void string(String s, StringBuilder out, boolean go) {
        String json = F.textNode(s).toString();
        out.append(go ? json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") : json);
    }

    private static String number(JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue().toString();
        }
        if (v.isDouble() || v.isFloat()) {
            double d = v.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new BuiltinException("a number is not finite: " + d);
            }
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return Long.toString((long) d);
            }
            return BigDecimal.valueOf(d).toString();
        }
        BigDecimal d = v.decimalValue();
        return d.scale() <= 0 || d.stripTrailingZeros().scale() <= 0 ? d.toBigInteger().toString() : d.toString();
    }

    private static final class Parser {
        private final String s;
        private int at;

        Parser(String s) {
            this.s = s;
        }

        void skip() {
            while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
                at++;
            }
        }

        JsonNode value() {
            skip();
            if (at >= s.length()) {
                throw new IllegalArgumentException("a Rego value ends early");
            }
            char c = s.charAt(at);
            switch (c) {
                case '{':
                    return objectOrSet();
                case '[': {
                    at++;
                    ArrayNode a = F.arrayNode();
                    skip();
                    if (s.charAt(at) == ']') {
                        at++;
                        return a;
                    }
                    while (true) {
                        a.add(value());
                        skip();
                        char d = s.charAt(at++);
                        if (d == ']') {
                            return a;
                        }
                        expect(d, ',');
                    }
                }
                case '"':
                    return F.textNode(string());
                default:
                    if (s.startsWith("set()", at)) {
                        at += 5;
                        return new SetNode();
                    }
                    if (s.startsWith("true", at)) {
                        at += 4;
                        return F.booleanNode(true);
                    }
                    if (s.startsWith("false", at)) {
                        at += 5;
                        return F.booleanNode(false);
                    }
                    if (s.startsWith("null", at)) {
                        at += 4;
                        return F.nullNode();
                    }
                    return number();
            }
        }

        private JsonNode objectOrSet() {
            at++;
            skip();
            if (s.charAt(at) == '}') {
                at++;
                return F.objectNode();
            }
            JsonNode first = value();
            skip();
            if (s.charAt(at) == ':') {
                ObjectNode o = F.objectNode();
                JsonNode key = first;
                while (true) {
                    at++; // ':'
                    o.set(key.isTextual() ? key.textValue() : write(key), value());
                    skip();
                    char d = s.charAt(at++);
                    if (d == '}') {
                        return o;
                    }
                    expect(d, ',');
                    key = value();
                    skip();
                    expect(s.charAt(at), ':');
                }
            }
            var elements = new ArrayList<JsonNode>();
            elements.add(first);
            while (true) {
                char d = s.charAt(at++);
                if (d == '}') {
                    var set = new SetNode();
                    elements.forEach(set::add); // the module's order; SetNode.of sorts where an answer needs it
                    return set;
                }
                expect(d, ',');
                elements.add(value());
                skip();
            }
        }

        private void expect(char got, char want) {
            if (got != want) {
                throw new IllegalArgumentException("expected '" + want + "' in a Rego value at " + at + ", got '" + got + "'");
            }
        }

        private String string() {
            at++;
            var b = new StringBuilder();
            while (true) {
                char c = s.charAt(at++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = s.charAt(at++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> b.append(e); // \" \\ \/
                }
            }
        }

        private JsonNode number() {
            int start = at;
            while (at < s.length() && "+-0123456789.eE".indexOf(s.charAt(at)) >= 0) {
                at++;
            }
            String text = s.substring(start, at);
            if (text.isEmpty()) {
                throw new IllegalArgumentException("unexpected '" + s.charAt(start) + "' in a Rego value at " + start);
            }
            boolean integral = text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
            // A literal written with '.', 'e' or 'E' stays a decimal: OPA's sprintf formats it as a float.
            return integral ? numberNode(new BigDecimal(text), true) : F.numberNode(new BigDecimal(text));
        }
    }

    /** A number node, as an integer when it has no fraction. */
    public static JsonNode numberNode(BigDecimal d, boolean integral) {
        if (integral || d.stripTrailingZeros().scale() <= 0) {
            BigInteger i = d.toBigInteger();
            return i.bitLength() < 64 ? F.numberNode(i.longValue()) : F.numberNode(i);
        }
        return F.numberNode(d);
    }
}
