package dev.plinth.engine.builtins.graphql;

import static dev.plinth.engine.builtins.graphql.Ast.bool;
import static dev.plinth.engine.builtins.graphql.Ast.isField;
import static dev.plinth.engine.builtins.graphql.Ast.isInlineFragment;
import static dev.plinth.engine.builtins.graphql.Ast.list;
import static dev.plinth.engine.builtins.graphql.Ast.obj;
import static dev.plinth.engine.builtins.graphql.Ast.str;
import static dev.plinth.engine.builtins.graphql.Ast.typeName;
import static dev.plinth.engine.builtins.graphql.Schema.forName;
import static dev.plinth.engine.builtins.graphql.Schema.valueKind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An executable document checked against a schema by the validation rules of the spec (§5),
 * the set gqlparser's default rules apply, in its walk: a fragment's selections are checked
 * where an operation spreads them (once per operation) and again on their own. OPA's
 * builtins only ask whether a document is valid, so the first broken rule ends the check.
 */
final class Validator {

    private static final String TYPENAME = "__typename";

    private final Schema schema;
    private final JsonNode document;
    private final Map<String, JsonNode> fragments = new LinkedHashMap<>();
    private final IdentityHashMap<JsonNode, Expected> expected = new IdentityHashMap<>();
    private final Set<JsonNode> usedVariables = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<String> spreadFromOperations = new HashSet<>();
    private Set<String> walkedSpreads = new HashSet<>();
    private JsonNode operation;

    /** What a value must be where it stands: its type, the named type's definition, whether a default covers it. */
    private record Expected(JsonNode type, ObjectNode definition, boolean hasDefault) {}

    private Validator(Schema schema, JsonNode document) {
        this.schema = schema;
        this.document = document;
    }

    static void validate(Schema schema, JsonNode document) {
        new Validator(schema, document).walk();
    }

    private static GraphQlException fail(String message) {
        return new GraphQlException(message);
    }

    private void walk() {
        var fragmentNames = new HashSet<String>();
        for (JsonNode f : list(document, "Fragments")) {
            fragments.putIfAbsent(str(f, "Name"), f);
        }
        var operationNames = new HashSet<String>();
        var operations = list(document, "Operations");
        for (JsonNode op : operations) {
            walkedSpreads = new HashSet<>();
            walkOperation(op);
            // Rules that look at the whole operation, once it is walked.
            if (str(op, "Name").isEmpty() && operations.size() > 1) {
                throw fail("This anonymous operation must be the only defined operation.");
            }
            if (!operationNames.add(str(op, "Name"))) {
                throw fail("There can be only one operation named \"" + str(op, "Name") + "\".");
            }
        }
        operation = null;
        for (JsonNode f : list(document, "Fragments")) {
            walkedSpreads = new HashSet<>();
            ObjectNode def = schema.type(str(f, "TypeCondition"));
            walkDirectives(list(f, "Directives"), "FRAGMENT_DEFINITION");
            walkSelections(def, list(f, "SelectionSet"));
            String name = str(f, "Name");
            if (def == null) {
                throw fail("Unknown type \"" + str(f, "TypeCondition") + "\".");
            }
            if (!str(f, "TypeCondition").isEmpty() && !Schema.isComposite(def)) {
                throw fail("Fragment \"" + name + "\" cannot condition on non composite type \"" + str(f, "TypeCondition") + "\".");
            }
            noCycles(f);
            if (!spreadFromOperations.contains(name)) {
                throw fail("Fragment \"" + name + "\" is never used.");
            }
            if (!fragmentNames.add(name)) {
                throw fail("There can be only one fragment named \"" + name + "\".");
            }
            Overlap.check(this, def, list(f, "SelectionSet"));
        }
    }

    private void walkOperation(JsonNode op) {
        operation = op;
        var variables = list(op, "VariableDefinitions");
        var seen = new HashSet<String>();
        for (JsonNode v : variables) {
            ObjectNode def = schema.type(typeName(obj(v, "Type")));
            if (def == null) {
                throw fail("Unknown type \"" + typeName(obj(v, "Type")) + "\".");
            }
            if (!Schema.isInputType(def)) {
                throw fail("Variable \"$" + str(v, "Variable") + "\" cannot be non-input type \"" + Ast.typeString(obj(v, "Type")) + "\".");
            }
            if (!seen.add(str(v, "Variable"))) {
                throw fail("There can be only one variable named \"$" + str(v, "Variable") + "\".");
            }
            JsonNode dflt = obj(v, "DefaultValue");
            if (dflt != null) {
                expected.put(dflt, new Expected(obj(v, "Type"), def, false));
            }
        }
        ObjectNode root;
        String location;
        switch (str(op, "Operation")) {
            case "mutation" -> {
                root = schema.mutation;
                location = "MUTATION";
            }
            case "subscription" -> {
                root = schema.subscription;
                location = "SUBSCRIPTION";
            }
            default -> {
                root = schema.query;
                location = "QUERY";
            }
        }
        for (JsonNode v : variables) {
            JsonNode dflt = obj(v, "DefaultValue");
            if (dflt != null) {
                walkValue(dflt);
            }
            walkDirectives(list(v, "Directives"), "VARIABLE_DEFINITION");
        }
        walkDirectives(list(op, "Directives"), location);
        walkSelections(root, list(op, "SelectionSet"));
        if (root == null) {
            throw fail("Schema does not support operation type \"" + str(op, "Operation") + "\"");
        }
        for (JsonNode v : variables) {
            if (!usedVariables.contains(v)) {
                throw fail("Variable \"$" + str(v, "Variable") + "\" is never used.");
            }
        }
        if (str(op, "Operation").equals("subscription") && schema.subscription != null) {
            var top = new LinkedHashMap<String, Boolean>();
            topFields(list(op, "SelectionSet"), top, new HashSet<>());
            if (top.size() > 1) {
                throw fail("Subscription must select only one top level field.");
            }
            if (top.keySet().stream().anyMatch(n -> n.startsWith("__"))) {
                throw fail("Subscription must not select an introspection top level field.");
            }
        }
        Overlap.check(this, root, list(op, "SelectionSet"));
    }

    private void topFields(List<JsonNode> selections, Map<String, Boolean> out, Set<String> inFragment) {
        for (JsonNode s : selections) {
            if (isField(s)) {
                out.put(str(s, "Name"), true);
            } else if (isInlineFragment(s)) {
                topFields(list(s, "SelectionSet"), out, inFragment);
            } else {
                JsonNode f = fragments.get(str(s, "Name"));
                if (f == null) {
                    return;
                }
                if (inFragment.add(str(f, "Name"))) {
                    topFields(list(f, "SelectionSet"), out, inFragment);
                }
            }
        }
    }

    private void walkDirectives(List<JsonNode> directives, String location) {
        var seen = new HashSet<String>();
        for (JsonNode dir : directives) {
            String name = str(dir, "Name");
            ObjectNode def = schema.directives.get(name);
            for (JsonNode arg : list(dir, "Arguments")) {
                walkArgument(def == null ? null : forName(list(def, "Arguments"), str(arg, "Name")), arg);
            }
            uniqueArguments(list(dir, "Arguments"));
            if (def == null) {
                throw fail("Unknown directive \"@" + name + "\".");
            }
            if (!Ast.strings(def, "Locations").contains(location)) {
                throw fail("Directive \"@" + name + "\" may not be used on " + location + ".");
            }
            checkArguments(list(dir, "Arguments"), list(def, "Arguments"), "directive \"@" + name + "\"");
            if (!seen.add(name) && !bool(def, "IsRepeatable")) {
                throw fail("The directive \"@" + name + "\" can only be used once at this location.");
            }
        }
    }

    private static void uniqueArguments(List<JsonNode> given) {
        var names = new HashSet<String>();
        for (JsonNode arg : given) {
            if (!names.add(str(arg, "Name"))) {
                throw fail("There can be only one argument named \"" + str(arg, "Name") + "\".");
            }
        }
    }

    /** Known and all required arguments of a field or directive. */
    private static void checkArguments(List<JsonNode> given, List<JsonNode> defined, String what) {
        var names = new HashSet<String>();
        for (JsonNode arg : given) {
            if (forName(defined, str(arg, "Name")) == null) {
                throw fail("Unknown argument \"" + str(arg, "Name") + "\" on " + what + ".");
            }
            names.add(str(arg, "Name"));
        }
        for (JsonNode def : defined) {
            if (bool(obj(def, "Type"), "NonNull") && obj(def, "DefaultValue") == null && !names.contains(str(def, "Name"))) {
                throw fail("Argument \"" + str(def, "Name") + "\" of type \"" + Ast.typeString(obj(def, "Type")) + "\" is required, but it was not provided.");
            }
        }
    }

    private void walkArgument(ObjectNode argDef, JsonNode arg) {
        JsonNode value = obj(arg, "Value");
        if (value == null) {
            return;
        }
        if (argDef != null) {
            expected.put(value, new Expected(obj(argDef, "Type"), schema.type(typeName(obj(argDef, "Type"))), hasDefault(argDef)));
        }
        walkValue(value);
    }

    private static boolean hasDefault(JsonNode def) {
        JsonNode dflt = obj(def, "DefaultValue");
        return dflt != null && valueKind(dflt) != Ast.NULL;
    }

    private void walkValue(JsonNode value) {
        int kind = valueKind(value);
        JsonNode variable = null;
        if (kind == Ast.VARIABLE && operation != null) {
            variable = variableNamed(str(value, "Raw"));
            if (variable != null) {
                usedVariables.add(variable);
            }
        }
        Expected here = expected.get(value);
        if (kind == Ast.OBJECT) {
            for (JsonNode child : list(value, "Children")) {
                JsonNode v = obj(child, "Value");
                if (here != null && here.definition() != null) {
                    ObjectNode field = forName(list(here.definition(), "Fields"), str(child, "Name"));
                    if (field != null && v != null) {
                        expected.put(v, new Expected(obj(field, "Type"), schema.type(typeName(obj(field, "Type"))), hasDefault(field)));
                    }
                }
                if (v != null) {
                    walkValue(v);
                }
            }
        }
        if (kind == Ast.LIST) {
            for (JsonNode child : list(value, "Children")) {
                JsonNode v = obj(child, "Value");
                if (here != null && obj(here.type(), "Elem") != null && v != null) {
                    expected.put(v, new Expected(obj(here.type(), "Elem"), here.definition(), false));
                }
                if (v != null) {
                    walkValue(v);
                }
            }
        }
        checkValue(value, kind, here, variable);
    }

    private JsonNode variableNamed(String name) {
        for (JsonNode v : list(operation, "VariableDefinitions")) {
            if (str(v, "Variable").equals(name)) {
                return v;
            }
        }
        return null;
    }

    private void checkValue(JsonNode value, int kind, Expected here, JsonNode variable) {
        if (kind == Ast.VARIABLE && operation != null && variable == null) {
            throw fail("Variable \"$" + str(value, "Raw") + "\" is not defined.");
        }
        if (kind == Ast.OBJECT) {
            var seen = new HashSet<String>();
            for (JsonNode child : list(value, "Children")) {
                if (!seen.add(str(child, "Name"))) {
                    throw fail("There can be only one input field named \"" + str(child, "Name") + "\".");
                }
            }
        }
        if (here == null || here.definition() == null || here.type() == null) {
            return;
        }
        if (kind == Ast.VARIABLE && variable != null && operation != null) {
            ObjectNode want = here.type().deepCopy();
            JsonNode dflt = obj(variable, "DefaultValue");
            if ((dflt != null && valueKind(dflt) != Ast.NULL) || here.hasDefault()) {
                want.put("NonNull", false);
            }
            if (!Schema.compatible(obj(variable, "Type"), want)) {
                throw fail("Variable \"$" + str(value, "Raw") + "\" of type \"" + Ast.typeString(obj(variable, "Type"))
                        + "\" used in position expecting type \"" + Ast.typeString(here.type()) + "\".");
            }
        }
        if (kind == Ast.OBJECT && here.definition().get("Directives") != null
                && forName(list(here.definition(), "Directives"), "oneOf") != null) {
            for (JsonNode child : list(value, "Children")) {
                JsonNode v = obj(child, "Value");
                if (v != null && valueKind(v) == Ast.VARIABLE && operation != null) {
                    JsonNode def = variableNamed(str(v, "Raw"));
                    if (def != null && !bool(obj(def, "Type"), "NonNull")) {
                        throw fail("Variable \"$" + str(v, "Raw") + "\" must be non-nullable to be used for OneOf Input Object.");
                    }
                }
            }
        }
        ObjectNode def = here.definition();
        String defName = str(def, "Name");
        String defKind = str(def, "Kind");
        if (kind == Ast.NULL && bool(here.type(), "NonNull")) {
            throw fail("Expected value of type \"" + Ast.typeString(here.type()) + "\", found null.");
        }
        if (defKind.equals("SCALAR") && !Set.of("Int", "Float", "String", "Boolean", "ID").contains(defName)) {
            return;
        }
        if (!parses(value)) {
            throw fail("Cannot represent " + str(value, "Raw") + ".");
        }
        switch (kind) {
            case Ast.LIST -> {
                if (obj(here.type(), "Elem") == null) {
                    throw unexpectedType(here, value);
                }
            }
            case Ast.INT -> {
                if (!Set.of("Int", "Float", "ID").contains(defName)) {
                    throw unexpectedType(here, value);
                }
            }
            case Ast.FLOAT -> {
                if (!defName.equals("Float")) {
                    throw unexpectedType(here, value);
                }
            }
            case Ast.STRING, Ast.BLOCK -> {
                if (defKind.equals("ENUM") || !Set.of("String", "ID").contains(defName)) {
                    throw unexpectedType(here, value);
                }
            }
            case Ast.ENUM -> {
                if (!defKind.equals("ENUM") || forName(list(def, "EnumValues"), str(value, "Raw")) == null) {
                    throw unexpectedType(here, value);
                }
            }
            case Ast.BOOLEAN -> {
                if (!defName.equals("Boolean")) {
                    throw unexpectedType(here, value);
                }
            }
            case Ast.OBJECT -> {
                for (JsonNode field : list(def, "Fields")) {
                    if (bool(obj(field, "Type"), "NonNull") && forName(list(value, "Children"), str(field, "Name")) == null
                            && obj(field, "DefaultValue") == null) {
                        throw fail("Field \"" + defName + "." + str(field, "Name") + "\" of required type \""
                                + Ast.typeString(obj(field, "Type")) + "\" was not provided.");
                    }
                }
                if (forName(list(def, "Directives"), "oneOf") != null) {
                    var children = list(value, "Children");
                    if (children.size() != 1) {
                        throw fail("OneOf Input Object \"" + defName + "\" must specify exactly one key.");
                    }
                    JsonNode only = obj(children.get(0), "Value");
                    if (only == null || valueKind(only) == Ast.NULL) {
                        throw fail("Field \"" + defName + "\" must be non-null.");
                    }
                }
                for (JsonNode child : list(value, "Children")) {
                    if (forName(list(def, "Fields"), str(child, "Name")) == null) {
                        throw fail("Field \"" + str(child, "Name") + "\" is not defined by type \"" + defName + "\".");
                    }
                }
            }
            default -> {}
        }
    }

    private static GraphQlException unexpectedType(Expected here, JsonNode value) {
        return fail("Expected value of type \"" + Ast.typeString(here.type()) + "\", found " + str(value, "Raw") + ".");
    }

    /** Whether gqlparser can read the literal as a Go value (an Int within int64, a finite Float). */
    private static boolean parses(JsonNode value) {
        String raw = str(value, "Raw");
        switch (valueKind(value)) {
            case Ast.INT -> {
                try {
                    var v = new BigInteger(raw);
                    return v.bitLength() < 64;
                } catch (NumberFormatException e) {
                    return false;
                }
            }
            case Ast.FLOAT -> {
                try {
                    return Double.isFinite(Double.parseDouble(raw));
                } catch (NumberFormatException e) {
                    return false;
                }
            }
            case Ast.BOOLEAN -> {
                return raw.equals("true") || raw.equals("false");
            }
            case Ast.LIST, Ast.OBJECT -> {
                for (JsonNode child : list(value, "Children")) {
                    JsonNode v = obj(child, "Value");
                    if (v != null && !parses(v)) {
                        return false;
                    }
                }
                return true;
            }
            default -> {
                return true;
            }
        }
    }

    private void walkSelections(ObjectNode parent, List<JsonNode> selections) {
        for (JsonNode s : selections) {
            if (isField(s)) {
                walkField(parent, s);
            } else if (isInlineFragment(s)) {
                String condition = str(s, "TypeCondition");
                ObjectNode next = condition.isEmpty() ? parent : schema.type(condition);
                walkDirectives(list(s, "Directives"), "INLINE_FRAGMENT");
                walkSelections(next, list(s, "SelectionSet"));
                if (!condition.isEmpty()) {
                    if (next == null) {
                        throw fail("Unknown type \"" + condition + "\".");
                    }
                    if (!Schema.isComposite(next)) {
                        throw fail("Fragment cannot condition on non composite type \"" + condition + "\".");
                    }
                }
                possibleSpread(parent, condition);
                Overlap.check(this, next, list(s, "SelectionSet"));
            } else {
                String name = str(s, "Name");
                JsonNode f = fragments.get(name);
                ObjectNode next = f == null ? null : schema.type(str(f, "TypeCondition"));
                walkDirectives(list(s, "Directives"), "FRAGMENT_SPREAD");
                if (f != null && walkedSpreads.add(name)) {
                    walkDirectives(list(f, "Directives"), "FRAGMENT_DEFINITION");
                    walkSelections(next, list(f, "SelectionSet"));
                }
                if (operation != null) {
                    spreadFromOperations.add(name);
                }
                if (f == null) {
                    throw fail("Unknown fragment \"" + name + "\".");
                }
                possibleSpread(parent, str(f, "TypeCondition"));
            }
        }
    }

    private void walkField(ObjectNode parent, JsonNode field) {
        String name = str(field, "Name");
        ObjectNode def;
        if (name.equals(TYPENAME)) {
            def = Ast.node("FieldDefinition").put("Name", TYPENAME);
            def.set("Type", Ast.node("Type").put("NamedType", "String"));
        } else {
            def = parent == null ? null : forName(list(parent, "Fields"), name);
        }
        ObjectNode next = def == null ? null : schema.type(typeName(obj(def, "Type")));
        for (JsonNode arg : list(field, "Arguments")) {
            walkArgument(def == null ? null : forName(list(def, "Arguments"), str(arg, "Name")), arg);
        }
        walkDirectives(list(field, "Directives"), "FIELD");
        walkSelections(next, list(field, "SelectionSet"));
        uniqueArguments(list(field, "Arguments"));

        if (parent != null && def == null) {
            throw fail("Cannot query field \"" + name + "\" on type \"" + str(parent, "Name") + "\".");
        }
        if (def != null) {
            checkArguments(list(field, "Arguments"), list(def, "Arguments"), "field \"" + name + "\"");
            if (next != null) {
                boolean leaf = Schema.isLeaf(next);
                boolean selects = !list(field, "SelectionSet").isEmpty();
                if (leaf && selects) {
                    throw fail("Field \"" + name + "\" must not have a selection since type \"" + str(next, "Name") + "\" has no subfields.");
                }
                if (!leaf && !selects) {
                    throw fail("Field \"" + name + "\" of type \"" + Ast.typeString(obj(def, "Type")) + "\" must have a selection of subfields.");
                }
            }
        }
        if ((name.equals("__schema") || name.equals("__type")) && introspectionTooDeep(field, 0, new HashMap<>())) {
            throw fail("Maximum introspection depth exceeded");
        }
        if (operation != null) {
            Overlap.check(this, next, list(field, "SelectionSet"));
        }
    }

    /** Fragments may only be spread where their type can apply. */
    private void possibleSpread(ObjectNode parent, String condition) {
        if (parent == null) {
            return;
        }
        List<ObjectNode> parents = switch (str(parent, "Kind")) {
            case "OBJECT" -> List.of(parent);
            case "INTERFACE", "UNION" -> schema.possibleTypes(parent);
            default -> null;
        };
        ObjectNode fragmentType = schema.type(condition);
        if (parents == null || fragmentType == null || !Schema.isComposite(fragmentType)) {
            return;
        }
        for (ObjectNode f : schema.possibleTypes(fragmentType)) {
            for (ObjectNode p : parents) {
                if (str(p, "Name").equals(str(f, "Name"))) {
                    return;
                }
            }
        }
        throw fail("Fragment cannot be spread here as objects of type \"" + str(parent, "Name") + "\" can never be of type \"" + condition + "\".");
    }

    private boolean introspectionTooDeep(JsonNode field, int depth, Map<String, Integer> visiting) {
        String name = str(field, "Name");
        if (Set.of("fields", "interfaces", "possibleTypes", "inputFields").contains(name) && ++depth >= 3) {
            return true;
        }
        return tooDeep(list(field, "SelectionSet"), depth, visiting);
    }

    private boolean tooDeep(List<JsonNode> selections, int depth, Map<String, Integer> visiting) {
        for (JsonNode s : selections) {
            if (isField(s)) {
                if (introspectionTooDeep(s, depth, visiting)) {
                    return true;
                }
            } else if (isInlineFragment(s)) {
                if (tooDeep(list(s, "SelectionSet"), depth, visiting)) {
                    return true;
                }
            } else {
                String name = str(s, "Name");
                Integer entry = visiting.get(name);
                if (entry != null) {
                    if (depth > entry) {
                        return true;
                    }
                    continue;
                }
                JsonNode f = fragments.get(name);
                if (f == null) {
                    continue;
                }
                visiting.put(name, depth);
                boolean deep = tooDeep(list(f, "SelectionSet"), depth, visiting);
                visiting.remove(name);
                if (deep) {
                    return true;
                }
            }
        }
        return false;
    }

    private final Set<String> cycleChecked = new HashSet<>();

    private void noCycles(JsonNode fragment) {
        spreadsFrom(fragment, new ArrayList<>());
    }

    private void spreadsFrom(JsonNode fragment, List<String> path) {
        String name = str(fragment, "Name");
        if (!cycleChecked.add(name)) {
            return;
        }
        path.add(name);
        for (String spread : spreads(list(fragment, "SelectionSet"))) {
            if (path.contains(spread)) {
                throw fail("Cannot spread fragment \"" + spread + "\" within itself.");
            }
            JsonNode next = fragmentNamed(spread);
            if (next != null) {
                spreadsFrom(next, path);
            }
        }
        path.remove(path.size() - 1);
    }

    private JsonNode fragmentNamed(String name) {
        for (JsonNode f : list(document, "Fragments")) {
            if (str(f, "Name").equals(name)) {
                return f;
            }
        }
        return null;
    }

    private static List<String> spreads(List<JsonNode> selections) {
        var out = new ArrayList<String>();
        var todo = new ArrayList<List<JsonNode>>();
        todo.add(selections);
        while (!todo.isEmpty()) {
            for (JsonNode s : todo.remove(todo.size() - 1)) {
                if (isField(s) || isInlineFragment(s)) {
                    todo.add(list(s, "SelectionSet"));
                } else {
                    out.add(str(s, "Name"));
                }
            }
        }
        return out;
    }

    // What the overlap rule needs from the walk.

    ObjectNode typeOf(String name) {
        return schema.type(name);
    }

    JsonNode fragment(String name) {
        return fragments.get(name);
    }

    /** The field definition a field selects on its parent type, or null. */
    static ObjectNode fieldDefinition(ObjectNode parent, JsonNode field) {
        String name = str(field, "Name");
        if (name.equals(TYPENAME)) {
            ObjectNode def = Ast.node("FieldDefinition").put("Name", TYPENAME);
            def.set("Type", Ast.node("Type").put("NamedType", "String"));
            return def;
        }
        return parent == null ? null : forName(list(parent, "Fields"), name);
    }
}
