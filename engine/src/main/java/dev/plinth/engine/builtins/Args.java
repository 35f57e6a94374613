package dev.plinth.engine.builtins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** Operand checks with OPA's wording ("operand 1 must be string but got number"). */
final class Args {

    static final JsonNodeFactory F = ValueText.factory();

    private Args() {}

    static String type(JsonNode v) {
        if (v.isNull()) {
            return "null";
        }
        if (v.isBoolean()) {
            return "boolean";
        }
        if (v.isNumber()) {
            return "number";
        }
        if (v.isTextual()) {
            return "string";
        }
        if (v instanceof ValueText.SetNode) {
            return "set";
        }
        return v.isArray() ? "array" : "object";
    }

    static BuiltinException typeError(int operand, JsonNode got, String want) {
        return new BuiltinException("operand " + operand + " must be " + want + " but got " + type(got));
    }

    static String string(JsonNode[] a, int i) {
        if (!a[i].isTextual()) {
            throw typeError(i + 1, a[i], "string");
        }
        return a[i].textValue();
    }

    static BigDecimal number(JsonNode[] a, int i) {
        if (!a[i].isNumber()) {
            throw typeError(i + 1, a[i], "number");
        }
        return a[i].decimalValue();
    }

    /** An integer operand that fits an int, as OPA's {@code IntOperand}. */
    static int integer(JsonNode[] a, int i) {
        BigDecimal d = number(a, i);
        try {
            return d.intValueExact();
        } catch (ArithmeticException e) {
            throw new BuiltinException("operand " + (i + 1) + " must be integer number but got floating-point number");
        }
    }

    static JsonNode object(JsonNode[] a, int i) {
        if (!a[i].isObject()) {
            throw typeError(i + 1, a[i], "object");
        }
        return a[i];
    }

    /** The elements of an array or set operand. */
    static List<JsonNode> elements(JsonNode[] a, int i, String want) {
        if (!a[i].isArray()) {
            throw typeError(i + 1, a[i], want);
        }
        var out = new ArrayList<JsonNode>(a[i].size());
        a[i].forEach(out::add);
        return out;
    }

    /** The strings of an operand that is a string, or an array or set of strings. */
    static List<String> strings(JsonNode[] a, int i) {
        if (a[i].isTextual()) {
            return List.of(a[i].textValue());
        }
        var out = new ArrayList<String>();
        for (JsonNode e : elements(a, i, "string, array, or set")) {
            if (!e.isTextual()) {
                throw typeError(i + 1, e, "string");
            }
            out.add(e.textValue());
        }
        return out;
    }

    static ArrayNode array(Iterable<? extends JsonNode> items) {
        ArrayNode out = F.arrayNode();
        items.forEach(out::add);
        return out;
    }

    static ArrayNode strings(Iterable<String> items) {
        ArrayNode out = F.arrayNode();
        items.forEach(out::add);
        return out;
    }

    /** An unsigned integer as exactly {@code length} big-endian bytes (an address, an RSA block). */
    static byte[] unsigned(java.math.BigInteger v, int length) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }

    static JsonNode text(String s) {
        return F.textNode(s);
    }

    static JsonNode bool(boolean b) {
        return F.booleanNode(b);
    }

    static JsonNode num(long n) {
        return F.numberNode(n);
    }
}
