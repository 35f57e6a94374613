package dev.plinth.engine.builtins.graphql;

import static dev.plinth.engine.builtins.graphql.Ast.bool;
import static dev.plinth.engine.builtins.graphql.Ast.isField;
import static dev.plinth.engine.builtins.graphql.Ast.isInlineFragment;
import static dev.plinth.engine.builtins.graphql.Ast.list;
import static dev.plinth.engine.builtins.graphql.Ast.obj;
import static dev.plinth.engine.builtins.graphql.Ast.str;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * "Field selection merging" (spec §5.3.2): fields answered under one response name must be
 * the same field with the same arguments, unless their parent types are distinct object
 * types, and must have the same response shape either way. A selection set's fields are
 * collected through its inline fragments and spreads, and every pair compared; pairs from
 * two fields' sub-selections are compared the same way, one side against the other.
 */
final class Overlap {

    /** A field as collected: where it stands (its parent type) and what it selects. */
    private record Collected(JsonNode field, ObjectNode parent, ObjectNode definition) {}

    private final Validator validator;

    private Overlap(Validator validator) {
        this.validator = validator;
    }

    static void check(Validator validator, ObjectNode parent, List<JsonNode> selections) {
        if (selections.isEmpty()) {
            return;
        }
        var o = new Overlap(validator);
        var fields = o.collect(parent, selections);
        for (var same : fields.values()) {
            for (int i = 0; i < same.size(); i++) {
                for (int j = i + 1; j < same.size(); j++) {
                    o.compare(false, same.get(i), same.get(j));
                }
            }
        }
    }

    private Map<String, List<Collected>> collect(ObjectNode parent, List<JsonNode> selections) {
        var out = new LinkedHashMap<String, List<Collected>>();
        collect(parent, selections, out, new HashSet<>());
        return out;
    }

    private void collect(ObjectNode parent, List<JsonNode> selections, Map<String, List<Collected>> out, Set<String> spread) {
        for (JsonNode s : selections) {
            if (isField(s)) {
                String response = str(s, "Alias").isEmpty() ? str(s, "Name") : str(s, "Alias");
                out.computeIfAbsent(response, k -> new ArrayList<>()).add(new Collected(s, parent, Validator.fieldDefinition(parent, s)));
            } else if (isInlineFragment(s)) {
                String condition = str(s, "TypeCondition");
                collect(condition.isEmpty() ? parent : validator.typeOf(condition), list(s, "SelectionSet"), out, spread);
            } else {
                JsonNode fragment = validator.fragment(str(s, "Name"));
                if (fragment != null && spread.add(str(s, "Name"))) {
                    collect(validator.typeOf(str(fragment, "TypeCondition")), list(fragment, "SelectionSet"), out, spread);
                }
            }
        }
    }

    private void compare(boolean parentsExclusive, Collected a, Collected b) {
        if (a.parent() == null || b.parent() == null) {
            return;
        }
        boolean exclusive = parentsExclusive
                || (!str(a.parent(), "Name").equals(str(b.parent(), "Name")) && str(a.parent(), "Kind").equals("OBJECT")
                        && str(b.parent(), "Kind").equals("OBJECT") && a.definition() != null && b.definition() != null);
        String response = str(a.field(), "Alias").isEmpty() ? str(a.field(), "Name") : str(a.field(), "Alias");
        if (!exclusive) {
            if (!str(a.field(), "Name").equals(str(b.field(), "Name"))) {
                throw conflict(response, "\"" + str(a.field(), "Name") + "\" and \"" + str(b.field(), "Name") + "\" are different fields");
            }
            if (!sameArguments(list(a.field(), "Arguments"), list(b.field(), "Arguments"))) {
                throw conflict(response, "they have differing arguments");
            }
        }
        if (a.definition() != null && b.definition() != null && typesConflict(obj(a.definition(), "Type"), obj(b.definition(), "Type"))) {
            throw conflict(response, "they return conflicting types");
        }
        var subA = list(a.field(), "SelectionSet");
        var subB = list(b.field(), "SelectionSet");
        if (subA.isEmpty() || subB.isEmpty()) {
            return;
        }
        var fieldsA = collect(returnType(a), subA);
        var fieldsB = collect(returnType(b), subB);
        for (var e : fieldsA.entrySet()) {
            for (Collected x : e.getValue()) {
                for (Collected y : fieldsB.getOrDefault(e.getKey(), List.of())) {
                    compare(exclusive, x, y);
                }
            }
        }
    }

    private ObjectNode returnType(Collected c) {
        return c.definition() == null ? null : validator.typeOf(Ast.typeName(obj(c.definition(), "Type")));
    }

    private static GraphQlException conflict(String response, String why) {
        return new GraphQlException("Fields \"" + response + "\" conflict because " + why
                + ". Use different aliases on the fields to fetch both if this was intentional.");
    }

    private boolean typesConflict(JsonNode t1, JsonNode t2) {
        if (bool(t1, "NonNull") != bool(t2, "NonNull") || (obj(t1, "Elem") == null) != (obj(t2, "Elem") == null)) {
            return true;
        }
        if (obj(t1, "Elem") != null) {
            return typesConflict(obj(t1, "Elem"), obj(t2, "Elem"));
        }
        ObjectNode d1 = validator.typeOf(str(t1, "NamedType"));
        ObjectNode d2 = validator.typeOf(str(t2, "NamedType"));
        if (d1 == null || d2 == null) {
            return false;
        }
        if (Schema.isLeaf(d1) || Schema.isLeaf(d2)) {
            return !str(d1, "Name").equals(str(d2, "Name"));
        }
        return false;
    }

    private static boolean sameArguments(List<JsonNode> args1, List<JsonNode> args2) {
        if (args1.size() != args2.size()) {
            return false;
        }
        for (JsonNode a1 : args1) {
            boolean matched = false;
            for (JsonNode a2 : args2) {
                if (str(a1, "Name").equals(str(a2, "Name")) && sameValue(obj(a1, "Value"), obj(a2, "Value"))) {
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                return false;
            }
        }
        return true;
    }

    /** Same literal: kind, raw text and children, an object's children compared by name. */
    private static boolean sameValue(JsonNode v1, JsonNode v2) {
        if (v1 == null || v2 == null) {
            return v1 == v2;
        }
        if (Schema.valueKind(v1) != Schema.valueKind(v2) || !str(v1, "Raw").equals(str(v2, "Raw"))) {
            return false;
        }
        var c1 = new ArrayList<>(list(v1, "Children"));
        var c2 = new ArrayList<>(list(v2, "Children"));
        if (c1.size() != c2.size()) {
            return false;
        }
        if (Schema.valueKind(v1) == Ast.OBJECT) {
            Comparator<JsonNode> byName = Comparator.comparing(c -> str(c, "Name"));
            c1.sort(byName);
            c2.sort(byName);
        }
        for (int i = 0; i < c1.size(); i++) {
            if (!str(c1.get(i), "Name").equals(str(c2.get(i), "Name")) || !sameValue(obj(c1.get(i), "Value"), obj(c2.get(i), "Value"))) {
                return false;
            }
        }
        return true;
    }
}
