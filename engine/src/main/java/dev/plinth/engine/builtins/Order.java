package dev.plinth.engine.builtins;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;

/**
 * OPA's total order of values (its {@code ast.Compare}): null, booleans, numbers (by value),
 * strings (by code point), arrays (element-wise, then length), objects (by sorted keys,
 * then values), sets (element-wise over their sorted elements). A set's elements are kept
 * in this order, as OPA's Go evaluator keeps them.
 */
public final class Order implements Comparator<JsonNode> {

    public static final Order INSTANCE = new Order();

    private Order() {}

    private static int rank(JsonNode v) {
        if (v == null || v.isNull()) {
            return 0;
        }
        if (v.isBoolean()) {
            return 1;
        }
        if (v.isNumber()) {
            return 2;
        }
        if (v.isTextual()) {
            return 3;
        }
        if (v instanceof ValueText.SetNode) {
            return 6;
        }
        if (v.isArray()) {
            return 4;
        }
        return 5;
    }

    @Override
    public int compare(JsonNode a, JsonNode b) {
        int ra = rank(a);
        int rb = rank(b);
        if (ra != rb) {
            return Integer.compare(ra, rb);
        }
        return switch (ra) {
            case 0 -> 0;
            case 1 -> Boolean.compare(a.booleanValue(), b.booleanValue());
            case 2 -> a.decimalValue().compareTo(b.decimalValue());
            case 3 -> codePoints(a.textValue(), b.textValue());
            case 4 -> elements(a.iterator(), b.iterator());
            case 6 -> elements(sorted(a).iterator(), sorted(b).iterator());
            default -> objects(a, b);
        };
    }

    private static int codePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private int elements(Iterator<JsonNode> a, Iterator<JsonNode> b) {
        while (a.hasNext() && b.hasNext()) {
            int c = compare(a.next(), b.next());
            if (c != 0) {
                return c;
            }
        }
        return Boolean.compare(a.hasNext(), b.hasNext());
    }

    private ArrayList<JsonNode> sorted(JsonNode set) {
        var list = new ArrayList<JsonNode>();
        set.forEach(list::add);
        list.sort(this);
        return list;
    }

    private int objects(JsonNode a, JsonNode b) {
        var ka = new ArrayList<String>();
        a.fieldNames().forEachRemaining(ka::add);
        var kb = new ArrayList<String>();
        b.fieldNames().forEachRemaining(kb::add);
        ka.sort(Order::codePoints);
        kb.sort(Order::codePoints);
        for (int i = 0; i < Math.min(ka.size(), kb.size()); i++) {
            int c = codePoints(ka.get(i), kb.get(i));
            if (c != 0) {
                return c;
            }
            c = compare(a.get(ka.get(i)), b.get(kb.get(i)));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(ka.size(), kb.size());
    }
}
