package dev.plinth.engine.builtins.graphql;

import static dev.plinth.engine.builtins.graphql.Ast.bool;
import static dev.plinth.engine.builtins.graphql.Ast.list;
import static dev.plinth.engine.builtins.graphql.Ast.obj;
import static dev.plinth.engine.builtins.graphql.Ast.str;
import static dev.plinth.engine.builtins.graphql.Ast.strings;
import static dev.plinth.engine.builtins.graphql.Ast.typeName;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A validated GraphQL schema: a schema document merged with the prelude, extensions applied
 * to their types, root operation types resolved, and the type-system rules checked as
 * gqlparser's {@code ValidateSchemaDocument} checks them (which is more permissive than the
 * spec in places: an extension may create the type it extends).
 */
final class Schema {

    private static final ObjectNode PRELUDE = prelude();
    private static final Set<String> PRELUDE_DIRECTIVES = Set.of("include", "skip", "deprecated", "specifiedBy", "defer", "oneOf");

    /** Types by name, in name order (gqlparser validates them sorted). */
    final Map<String, ObjectNode> types = new TreeMap<>();
    final Map<String, ObjectNode> directives = new TreeMap<>();
    final Map<String, List<ObjectNode>> possibleTypes = new HashMap<>();
    ObjectNode query;
    ObjectNode mutation;
    ObjectNode subscription;

    private Schema() {}

    private static ObjectNode prelude() {
        try (var in = Schema.class.getResourceAsStream("prelude.graphql")) {
            if (in == null) {
                throw new IllegalStateException("prelude.graphql is missing from the engine's resources");
            }
            return Parser.schema(new String(in.readAllBytes(), StandardCharsets.UTF_8), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Validates a schema document (not modified: the checks work on a copy). */
    static Schema load(ObjectNode document) {
        ObjectNode doc = PRELUDE.deepCopy();
        ObjectNode user = document.deepCopy();
        user.properties().forEach(e -> {
            if (e.getValue().isArray()) {
                ArrayNode merged = doc.has(e.getKey()) ? (ArrayNode) doc.get(e.getKey()) : doc.putArray(e.getKey());
                merged.addAll((ArrayNode) e.getValue());
            }
        });
        var s = new Schema();
        s.build(doc);
        return s;
    }

    private static GraphQlException fail(String message) {
        return new GraphQlException(message);
    }

    private void build(ObjectNode doc) {
        var defs = new ArrayList<ObjectNode>();
        for (JsonNode d : list(doc, "Definitions")) {
            String name = str(d, "Name");
            if (types.containsKey(name)) {
                throw fail("Cannot redeclare type " + name + ".");
            }
            types.put(name, (ObjectNode) d);
            defs.add((ObjectNode) d);
        }
        for (JsonNode ext : list(doc, "Extensions")) {
            String name = str(ext, "Name");
            ObjectNode def = types.get(name);
            if (def == null) {
                def = Ast.node("Definition").put("Kind", str(ext, "Kind")).put("Name", name);
                types.put(name, def);
                defs.add(def);
            }
            if (!str(def, "Kind").equals(str(ext, "Kind"))) {
                throw fail("Cannot extend type " + name + " because the base type is a " + str(def, "Kind") + ", not " + str(ext, "Kind") + ".");
            }
            for (String l : List.of("Directives", "Interfaces", "Fields", "Types", "EnumValues")) {
                append(def, l, list(ext, l));
            }
        }
        for (ObjectNode def : defs) {
            String name = str(def, "Name");
            switch (str(def, "Kind")) {
                case "UNION" -> strings(def, "Types").forEach(t -> addPossible(name, types.get(t)));
                case "INPUT_OBJECT", "OBJECT" -> {
                    strings(def, "Interfaces").forEach(i -> addPossible(i, def));
                    addPossible(name, def);
                }
                case "INTERFACE" -> strings(def, "Interfaces").forEach(i -> addPossible(i, def));
                default -> {}
            }
        }
        for (JsonNode dir : list(doc, "Directives")) {
            String name = str(dir, "Name");
            if (directives.containsKey(name) && !PRELUDE_DIRECTIVES.contains(name)) {
                throw fail("Cannot redeclare directive " + name + ".");
            }
            directives.put(name, (ObjectNode) dir);
        }
        for (JsonNode ext : list(doc, "DirectiveExtensions")) {
            ObjectNode def = directives.get(str(ext, "Name"));
            if (def == null) {
                throw fail("Cannot extend directive @" + str(ext, "Name") + " because it is not defined.");
            }
            append(def, "Directives", list(ext, "Directives"));
        }
        var schemas = list(doc, "Schema");
        if (schemas.size() > 1) {
            throw fail("Cannot have multiple schema entry points, consider schema extensions instead.");
        }
        var roots = new HashSet<String>();
        var entries = new ArrayList<JsonNode>(schemas);
        entries.addAll(list(doc, "SchemaExtension"));
        for (JsonNode entry : entries) {
            for (JsonNode op : list(entry, "OperationTypes")) {
                String operation = str(op, "Operation");
                if (!roots.add(operation)) {
                    throw fail("There can be only one " + operation + " type in schema.");
                }
                ObjectNode def = types.get(str(op, "Type"));
                if (def == null) {
                    throw fail("Schema root " + operation + " refers to a type " + str(op, "Type") + " that does not exist.");
                }
                switch (operation) {
                    case "query" -> query = def;
                    case "mutation" -> mutation = def;
                    case "subscription" -> subscription = def;
                    default -> {}
                }
            }
            checkDirectives(list(entry, "Directives"), "SCHEMA", null, true);
        }
        for (ObjectNode def : types.values()) {
            checkDefinition(def);
        }
        checkInputCycles();
        for (ObjectNode dir : directives.values()) {
            checkDirectiveDefinition(dir);
        }
        if (schemas.isEmpty()) {
            if (query == null) {
                query = types.get("Query");
            }
            if (mutation == null) {
                mutation = types.get("Mutation");
            }
            if (subscription == null) {
                subscription = types.get("Subscription");
            }
        }
        for (ObjectNode root : java.util.Arrays.asList(query, mutation, subscription)) {
            if (root != null && !str(root, "Kind").equals("OBJECT")) {
                throw fail("Root type must be Object type, it cannot be " + str(root, "Name") + ".");
            }
        }
        if (query != null) {
            ArrayNode fields = query.has("Fields") ? (ArrayNode) query.get("Fields") : query.putArray("Fields");
            fields.add(introspectionField("__schema", named("__Schema", true), List.of()));
            fields.add(introspectionField("__type", named("__Type", false),
                    List.of(Ast.node("ArgumentDefinition").put("Name", "name").set("Type", named("String", true)))));
        }
    }

    private static ObjectNode named(String type, boolean nonNull) {
        return Ast.node("Type").put("NamedType", type).put("NonNull", nonNull);
    }

    private static ObjectNode introspectionField(String name, ObjectNode type, List<JsonNode> args) {
        ObjectNode f = Ast.node("FieldDefinition").put("Name", name);
        f.set("Type", type);
        Ast.putList(f, "Arguments", args);
        return f;
    }

    private static void append(ObjectNode def, String field, List<JsonNode> items) {
        if (items.isEmpty()) {
            return;
        }
        ArrayNode to = def.has(field) ? (ArrayNode) def.get(field) : def.putArray(field);
        items.forEach(to::add);
    }

    private void addPossible(String name, ObjectNode def) {
        // A union member that is not defined is a nil entry in gqlparser; the union check reports it.
        if (def != null) {
            possibleTypes.computeIfAbsent(name, k -> new ArrayList<>()).add(def);
        }
    }

    List<ObjectNode> possibleTypes(ObjectNode def) {
        return possibleTypes.getOrDefault(str(def, "Name"), List.of());
    }

    ObjectNode type(String name) {
        return types.get(name);
    }

    static boolean isInputType(ObjectNode def) {
        String kind = str(def, "Kind");
        return kind.equals("SCALAR") || kind.equals("ENUM") || kind.equals("INPUT_OBJECT");
    }

    static boolean isLeaf(ObjectNode def) {
        String kind = str(def, "Kind");
        return kind.equals("SCALAR") || kind.equals("ENUM");
    }

    static boolean isComposite(ObjectNode def) {
        String kind = str(def, "Kind");
        return kind.equals("OBJECT") || kind.equals("INTERFACE") || kind.equals("UNION");
    }

    static ObjectNode forName(List<JsonNode> items, String name) {
        for (JsonNode item : items) {
            if (str(item, "Name").equals(name)) {
                return (ObjectNode) item;
            }
        }
        return null;
    }

    private static void checkName(String name) {
        if (name.startsWith("__")) {
            throw fail("Name \"" + name + "\" must not begin with \"__\", which is reserved by GraphQL introspection.");
        }
    }

    private void checkTypeRef(JsonNode type) {
        if (!types.containsKey(typeName(type))) {
            throw fail("Undefined type " + typeName(type) + ".");
        }
    }

    private void checkDirectiveDefinition(ObjectNode def) {
        checkName(str(def, "Name"));
        checkUniqueNames(list(def, "Arguments"), "Argument");
        checkDirectives(list(def, "Directives"), "DIRECTIVE_DEFINITION", def, true);
        checkArguments(list(def, "Arguments"), def);
    }

    private static void checkUniqueNames(List<JsonNode> items, String what) {
        var seen = new HashSet<String>();
        for (JsonNode item : items) {
            if (!seen.add(str(item, "Name"))) {
                throw fail(what + " " + str(item, "Name") + " can only be defined once.");
            }
        }
    }

    private void checkDefinition(ObjectNode def) {
        String kind = str(def, "Kind");
        for (JsonNode field : list(def, "Fields")) {
            checkName(str(field, "Name"));
            checkTypeRef(obj(field, "Type"));
            checkInputFieldNames(obj(field, "DefaultValue"));
            checkUniqueNames(list(field, "Arguments"), "Argument");
            checkArguments(list(field, "Arguments"), null);
            checkDirectives(list(field, "Directives"), kind.equals("INPUT_OBJECT") ? "INPUT_FIELD_DEFINITION" : "FIELD_DEFINITION", null, true);
        }
        for (String member : strings(def, "Types")) {
            ObjectNode t = types.get(member);
            if (t == null) {
                throw fail("Undefined type \"" + member + "\".");
            }
            if (!str(t, "Kind").equals("OBJECT")) {
                throw fail(kind + " type \"" + member + "\" must be OBJECT.");
            }
        }
        var interfaces = strings(def, "Interfaces");
        for (int i = 0; i < interfaces.size(); i++) {
            if (interfaces.subList(0, i).contains(interfaces.get(i))) {
                throw fail("Type " + str(def, "Name") + " can only implement " + interfaces.get(i) + " once.");
            }
            checkImplements(def, interfaces.get(i));
        }
        switch (kind) {
            case "OBJECT", "INTERFACE" -> {
                requireSome(def, "Fields");
                for (JsonNode field : list(def, "Fields")) {
                    ObjectNode t = types.get(typeName(obj(field, "Type")));
                    if (t != null && str(t, "Kind").equals("INPUT_OBJECT")) {
                        throw fail(kind + " " + str(def, "Name") + ": field must be one of SCALAR, OBJECT, INTERFACE, UNION, ENUM.");
                    }
                }
            }
            case "ENUM" -> {
                requireSome(def, "EnumValues");
                for (JsonNode value : list(def, "EnumValues")) {
                    String name = str(value, "Name");
                    checkName(name);
                    if (name.equals("true") || name.equals("false") || name.equals("null")) {
                        throw fail("ENUM " + str(def, "Name") + ": non-enum value " + name + ".");
                    }
                    checkDirectives(list(value, "Directives"), "ENUM_VALUE", null, true);
                }
            }
            case "INPUT_OBJECT" -> {
                requireSome(def, "Fields");
                for (JsonNode field : list(def, "Fields")) {
                    ObjectNode t = types.get(typeName(obj(field, "Type")));
                    if (t != null && !isInputType(t)) {
                        throw fail(str(t, "Kind") + " " + str(field, "Name") + ": field must be one of SCALAR, ENUM, INPUT_OBJECT.");
                    }
                }
            }
            case "UNION" -> requireSome(def, "Types");
            default -> {}
        }
        checkUniqueNames(list(def, "Fields"), "Field " + str(def, "Name") + ".");
        checkUniqueNames(list(def, "EnumValues"), "Enum value " + str(def, "Name") + ".");
        var members = new HashSet<String>();
        for (String member : strings(def, "Types")) {
            if (!members.add(member)) {
                throw fail("Union type " + str(def, "Name") + " can only include type " + member + " once.");
            }
        }
        if (!bool(def, "BuiltIn")) {
            checkName(str(def, "Name"));
        }
        checkDirectives(list(def, "Directives"), kind, null, false);
    }

    private static void requireSome(ObjectNode def, String field) {
        if (list(def, field).isEmpty()) {
            throw fail(str(def, "Kind") + " " + str(def, "Name") + ": must define one or more " + field + ".");
        }
    }

    private void checkArguments(List<JsonNode> args, ObjectNode currentDirective) {
        for (JsonNode arg : args) {
            checkName(str(arg, "Name"));
            checkTypeRef(obj(arg, "Type"));
            checkInputFieldNames(obj(arg, "DefaultValue"));
            ObjectNode t = types.get(typeName(obj(arg, "Type")));
            if (!isInputType(t)) {
                throw fail("cannot use " + Ast.typeString(obj(arg, "Type")) + " as argument " + str(arg, "Name") + " because "
                        + str(t, "Kind") + " is not a valid input type");
            }
            checkDirectives(list(arg, "Directives"), "ARGUMENT_DEFINITION", currentDirective, true);
        }
    }

    private void checkDirectives(List<JsonNode> dirs, String location, ObjectNode current, boolean singleLocation) {
        var seen = new HashSet<String>();
        for (JsonNode dir : dirs) {
            String name = str(dir, "Name");
            checkName(name);
            if (current != null && name.equals(str(current, "Name"))) {
                throw fail("Directive " + name + " cannot refer to itself.");
            }
            ObjectNode def = directives.get(name);
            if (def == null) {
                throw fail("Undefined directive " + name + ".");
            }
            if (singleLocation && !seen.add(name) && !bool(def, "IsRepeatable")) {
                throw fail("The directive " + name + " can only be used once at this location.");
            }
            if (!strings(def, "Locations").contains(location)) {
                throw fail("Directive " + name + " is not applicable on " + location + ".");
            }
            var given = list(dir, "Arguments");
            var names = new HashSet<String>();
            for (JsonNode arg : given) {
                if (forName(list(def, "Arguments"), str(arg, "Name")) == null) {
                    throw fail("Undefined argument " + str(arg, "Name") + " for directive " + name + ".");
                }
                if (!names.add(str(arg, "Name"))) {
                    throw fail("There can be only one argument named " + str(arg, "Name") + ".");
                }
            }
            for (JsonNode want : list(def, "Arguments")) {
                if (bool(obj(want, "Type"), "NonNull") && obj(want, "DefaultValue") == null) {
                    ObjectNode arg = forName(given, str(want, "Name"));
                    if (arg == null || valueKind(obj(arg, "Value")) == Ast.NULL) {
                        throw fail("Argument " + str(want, "Name") + " for directive " + name + " cannot be null.");
                    }
                }
            }
            for (JsonNode arg : given) {
                checkInputFieldNames(obj(arg, "Value"));
            }
        }
    }

    static int valueKind(JsonNode value) {
        JsonNode k = value == null ? null : value.get("Kind");
        return k == null ? Ast.VARIABLE : k.asInt();
    }

    static void checkInputFieldNames(JsonNode value) {
        if (value == null) {
            return;
        }
        var seen = valueKind(value) == Ast.OBJECT ? new HashSet<String>() : null;
        for (JsonNode child : list(value, "Children")) {
            if (seen != null && !seen.add(str(child, "Name"))) {
                throw fail("There can be only one input field named \"" + str(child, "Name") + "\".");
            }
            checkInputFieldNames(obj(child, "Value"));
        }
    }

    private void checkImplements(ObjectNode def, String interfaceName) {
        ObjectNode intf = types.get(interfaceName);
        String name = str(def, "Name");
        if (intf == null) {
            throw fail("Undefined type \"" + interfaceName + "\".");
        }
        if (!str(intf, "Kind").equals("INTERFACE")) {
            throw fail("\"" + interfaceName + "\" is a non interface type " + str(intf, "Kind") + ".");
        }
        if (str(intf, "Name").equals(name)) {
            throw fail("Type " + name + " cannot implement itself because it would create a circular reference.");
        }
        for (JsonNode required : list(intf, "Fields")) {
            ObjectNode found = forName(list(def, "Fields"), str(required, "Name"));
            if (found == null) {
                throw fail("For " + name + " to implement " + interfaceName + " it must have a field called " + str(required, "Name") + ".");
            }
            if (!covariant(obj(required, "Type"), obj(found, "Type"))) {
                throw fail("For " + name + " to implement " + interfaceName + " the field " + str(required, "Name") + " must have type "
                        + Ast.typeString(obj(required, "Type")) + ".");
            }
            for (JsonNode arg : list(required, "Arguments")) {
                ObjectNode foundArg = forName(list(found, "Arguments"), str(arg, "Name"));
                if (foundArg == null || !compatible(obj(arg, "Type"), obj(foundArg, "Type"))) {
                    throw fail("For " + name + " to implement " + interfaceName + " the field " + str(required, "Name")
                            + " must have the same arguments.");
                }
            }
            for (JsonNode extra : list(found, "Arguments")) {
                if (forName(list(required, "Arguments"), str(extra, "Name")) == null && bool(obj(extra, "Type"), "NonNull")
                        && obj(extra, "DefaultValue") == null) {
                    throw fail("For " + name + " to implement " + interfaceName + " any additional arguments on " + str(found, "Name")
                            + " must be optional or have a default value but " + str(extra, "Name") + " is required.");
                }
            }
        }
        for (String transitive : strings(intf, "Interfaces")) {
            if (!strings(def, "Interfaces").contains(transitive)) {
                throw fail("Type " + name + " must implement " + transitive + " because it is implemented by " + interfaceName + ".");
            }
        }
    }

    /** gqlparser's Type.IsCompatible: same named type and shape, and non-null where the other is. */
    static boolean compatible(JsonNode t, JsonNode other) {
        if (!str(t, "NamedType").equals(str(other, "NamedType"))) {
            return false;
        }
        JsonNode elem = obj(t, "Elem");
        JsonNode otherElem = obj(other, "Elem");
        if (elem != null && otherElem == null) {
            return false;
        }
        if (elem != null && !compatible(elem, otherElem)) {
            return false;
        }
        return !bool(other, "NonNull") || bool(t, "NonNull");
    }

    private boolean covariant(JsonNode required, JsonNode actual) {
        if (bool(required, "NonNull") && !bool(actual, "NonNull")) {
            return false;
        }
        String named = str(required, "NamedType");
        if (!named.isEmpty()) {
            if (named.equals(str(actual, "NamedType"))) {
                return true;
            }
            for (ObjectNode possible : possibleTypes.getOrDefault(named, List.of())) {
                if (str(possible, "Name").equals(str(actual, "NamedType"))) {
                    return true;
                }
            }
            return false;
        }
        if (obj(required, "Elem") != null && obj(actual, "Elem") == null) {
            return false;
        }
        return covariant(obj(required, "Elem"), obj(actual, "Elem"));
    }

    /** Input objects may not contain themselves through non-null, non-list fields. */
    private void checkInputCycles() {
        var visited = new HashSet<String>();
        for (ObjectNode def : types.values()) {
            if (str(def, "Kind").equals("INPUT_OBJECT")) {
                cycle(def, visited, new LinkedHashMap<>());
            }
        }
    }

    private void cycle(ObjectNode def, Set<String> visited, Map<String, Boolean> path) {
        String name = str(def, "Name");
        if (!visited.add(name)) {
            return;
        }
        path.put(name, true);
        for (JsonNode field : list(def, "Fields")) {
            JsonNode type = obj(field, "Type");
            if (!bool(type, "NonNull") || str(type, "NamedType").isEmpty()) {
                continue;
            }
            ObjectNode t = types.get(str(type, "NamedType"));
            if (t == null || !str(t, "Kind").equals("INPUT_OBJECT")) {
                continue;
            }
            if (path.containsKey(str(t, "Name"))) {
                throw fail("Cannot reference Input Object \"" + str(t, "Name") + "\" within itself through a series of non-null fields.");
            }
            cycle(t, visited, path);
        }
        path.remove(name);
    }
}
