package dev.plinth.engine.builtins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * json.verify_schema and json.match_schema with the semantics and the words of the validator
 * OPA vendors (gojsonschema): drafts 4, 6 and 7 and its "hybrid" default, keywords beside a
 * {@code $ref} ignored, errors as {@code {error, type, field, desc}} with its descriptions
 * and type names, anyOf/oneOf reporting the best-scoring branch's errors. Written here rather
 * than on a Java validator because a policy shows these strings to users and matches on
 * {@code type}; the Java validators word and group their errors differently. Only references
 * within the schema ({@code #...}) resolve: OPA's capabilities allow no network by default.
 */
final class JsonSchemaBuiltins {

    private static final ObjectMapper JSON = new ObjectMapper().setNodeFactory(ValueText.factory());
    private static final List<String> TYPES = List.of("array", "boolean", "integer", "number", "null", "object", "string");
    private static final int DRAFT4 = 4, DRAFT6 = 6, DRAFT7 = 7, HYBRID = Integer.MAX_VALUE;

    /** Compiled schemas by their text, as OPA caches them across queries. */
    private static final Cache<String, Sub> COMPILED = Caffeine.newBuilder().maximumWeight(16L << 20)
            .<String, Sub>weigher((k, v) -> k.length()).build();

    private JsonSchemaBuiltins() {}

    static List<Builtin> all() {
        return List.of(
                Builtin.pure("json.verify_schema", 1, a -> {
                    try {
                        compile(a[0]);
                        return Args.array(List.of(Args.bool(true), Args.F.nullNode()));
                    } catch (BuiltinException e) {
                        return Args.array(List.of(Args.bool(false), Args.text("jsonschema: " + e.getMessage())));
                    }
                }),
                Builtin.pure("json.match_schema", 2, a -> {
                    JsonNode document = load(a[0]);
                    Sub schema = compile(a[1]);
                    var result = new Result();
                    schema.validate(document, result, List.of("(Root)"));
                    ArrayNode errors = Args.F.arrayNode();
                    for (Failure f : result.errors) {
                        ObjectNode o = errors.addObject();
                        o.put("error", f.field() + ": " + f.desc());
                        o.put("type", f.type());
                        o.put("field", f.field());
                        o.put("desc", f.desc());
                    }
                    return Args.array(List.of(Args.bool(result.errors.isEmpty()), errors));
                }));
    }

    /** A document or schema operand: JSON text, or an object or array. */
    private static JsonNode load(JsonNode v) {
        if (v.isTextual()) {
            try {
                return JSON.readTree(v.textValue());
            } catch (Exception e) {
                throw new BuiltinException("invalid JSON string");
            }
        }
        if (v.isObject() || (v.isArray() && !(v instanceof ValueText.SetNode))) {
            return v;
        }
        throw new BuiltinException("wrong type, expected string or object");
    }

    private static Sub compile(JsonNode operand) {
        JsonNode doc = load(operand);
        String key = doc.toString();
        Sub cached = COMPILED.getIfPresent(key);
        if (cached == null) {
            int draft = HYBRID;
            if (doc.isObject() && doc.path("$schema").isTextual()) {
                String url = doc.get("$schema").textValue();
                draft = url.contains("draft-04") ? DRAFT4 : url.contains("draft-06") ? DRAFT6 : url.contains("draft-07") ? DRAFT7 : HYBRID;
            }
            cached = new Compiler(doc).parse(doc, draft);
            COMPILED.put(key, cached);
        }
        return cached;
    }

    record Failure(String type, String field, String desc) {}

    /** Errors and gojsonschema's score (how far a branch got), which picks the anyOf/oneOf branch reported. */
    static final class Result {
        final List<Failure> errors = new ArrayList<>();
        int score;

        void fail(String type, List<String> context, String desc) {
            errors.add(new Failure(type, field(context), desc));
            score -= 2;
        }

        void merge(Result other) {
            errors.addAll(other.errors);
            score += other.score;
        }
    }

    /** The field as gojsonschema names it: the context path without its "(Root)." start. */
    static String field(List<String> context) {
        String path = String.join(".", context);
        return path.startsWith("(Root).") ? path.substring(7) : path;
    }

    private static List<String> with(List<String> context, String head) {
        var out = new ArrayList<String>(context);
        out.add(head);
        return out;
    }

    /**
     * A value as gojsonschema compares it for enum, const and uniqueness: JSON with numbers
     * read as float64 (so 1.0 equals 1) and Go's formatting.
     */
    static String canonical(JsonNode v) {
        if (v.isNumber()) {
            return goFloat(v.doubleValue());
        }
        if (v.isArray()) {
            var parts = new ArrayList<String>();
            v.forEach(e -> parts.add(canonical(e)));
            return "[" + String.join(",", parts) + "]";
        }
        if (v.isObject()) {
            var keys = new java.util.TreeSet<String>();
            v.fieldNames().forEachRemaining(keys::add);
            var parts = new ArrayList<String>();
            for (String k : keys) {
                parts.add(ValueText.goJson(Args.text(k)) + ":" + canonical(v.get(k)));
            }
            return "{" + String.join(",", parts) + "}";
        }
        return ValueText.goJson(v);
    }

    /** Go's encoding/json for a float64. */
    static String goFloat(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e21) {
            return new BigDecimal(d).toPlainString();
        }
        double abs = Math.abs(d);
        if (abs >= 1e-6 && abs < 1e21) {
            return new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
        }
        String s = Double.toString(d).replace("E", "e");
        int e = s.indexOf('e');
        String mantissa = s.substring(0, e);
        if (mantissa.endsWith(".0")) {
            mantissa = mantissa.substring(0, mantissa.length() - 2);
        }
        String exp = s.substring(e + 1);
        return mantissa + "e" + (exp.startsWith("-") ? exp : "+" + exp);
    }

    /**
     * A schema bound as gojsonschema's message prints it: a big.Float through %v, which is the
     * shortest 'g' form (the float64's, for bounds of up to 17 significant digits).
     */
    static String bound(BigDecimal b) {
        return GoFormat.format("%v", List.of(new GoFormat.Arg.Float(b.doubleValue())));
    }

    /** One compiled (sub)schema. */
    static final class Sub {
        Boolean pass;
        Sub ref;
        String refPointer;
        Compiler compiler;
        final List<String> types = new ArrayList<>();
        final List<Map.Entry<String, Sub>> properties = new ArrayList<>();
        final Map<String, Sub> patternProperties = new java.util.LinkedHashMap<>();
        final Map<String, Pattern> patterns = new HashMap<>();
        Object additionalProperties; // Boolean or Sub
        Sub propertyNames;
        final Map<String, Object> dependencies = new java.util.LinkedHashMap<>(); // List<String> or Sub
        final List<Sub> items = new ArrayList<>();
        boolean itemsSingle;
        Object additionalItems;
        BigDecimal multipleOf, minimum, maximum, exclusiveMinimum, exclusiveMaximum;
        Integer minLength, maxLength, minItems, maxItems, minProperties, maxProperties;
        Pattern pattern;
        String patternText;
        String format;
        boolean uniqueItems;
        Sub contains;
        String constValue;
        List<String> enumValues;
        final List<String> required = new ArrayList<>();
        final List<Sub> allOf = new ArrayList<>(), anyOf = new ArrayList<>(), oneOf = new ArrayList<>();
        Sub not, ifSchema, thenSchema, elseSchema;

        Result subValidate(JsonNode node, List<String> context) {
            var r = new Result();
            validate(node, r, context);
            return r;
        }

        void validate(JsonNode node, Result result, List<String> context) {
            if (pass != null) {
                if (!pass) {
                    result.fail("false", context, "False always fails validation");
                }
                return;
            }
            if (refPointer != null) {
                if (ref == null) {
                    ref = compiler.resolve(refPointer);
                }
                ref.validate(node, result, context);
                return;
            }
            String given;
            if (node.isNull()) {
                given = "null";
            } else if (node.isNumber()) {
                boolean isInt = isInteger(node);
                given = isInt ? "integer" : "number";
                if (!types.isEmpty() && !(types.contains("number") || (isInt && types.contains("integer")))) {
                    result.fail("invalid_type", context, "Invalid type. Expected: " + typeString() + ", given: " + given);
                    return;
                }
            } else {
                given = node.isArray() ? "array" : node.isObject() ? "object" : node.isBoolean() ? "boolean" : "string";
            }
            if (!node.isNumber() && !types.isEmpty() && !types.contains(given)) {
                result.fail("invalid_type", context, "Invalid type. Expected: " + typeString() + ", given: " + given);
                return;
            }
            validateSchema(node, result, context);
            if (node.isNumber()) {
                validateNumber(node, result, context);
            }
            if (node.isArray()) {
                validateArray(node, result, context);
            }
            if (node.isObject()) {
                validateObject(node, result, context);
            }
            validateCommon(node, result, context);
            if (node.isTextual()) {
                validateString(node.textValue(), result, context);
            }
            if (node.isObject()) {
                for (var p : properties) {
                    if (node.has(p.getKey())) {
                        p.getValue().validate(node.get(p.getKey()), result, with(context, p.getKey()));
                    }
                }
            }
            result.score++;
        }

        private String typeString() {
            return types.size() == 1 ? types.get(0) : "[" + String.join(",", types) + "]";
        }

        private void validateSchema(JsonNode node, Result result, List<String> context) {
            if (!anyOf.isEmpty()) {
                Result best = null;
                boolean ok = false;
                for (Sub s : anyOf) {
                    Result r = s.subValidate(node, context);
                    if (r.errors.isEmpty()) {
                        ok = true;
                        break;
                    }
                    if (best == null || r.score > best.score) {
                        best = r;
                    }
                }
                if (!ok) {
                    result.fail("number_any_of", context, "Must validate at least one schema (anyOf)");
                    result.merge(best);
                }
            }
            if (!oneOf.isEmpty()) {
                int valid = 0;
                Result best = null;
                for (Sub s : oneOf) {
                    Result r = s.subValidate(node, context);
                    if (r.errors.isEmpty()) {
                        valid++;
                    } else if (valid == 0 && (best == null || r.score > best.score)) {
                        best = r;
                    }
                }
                if (valid != 1) {
                    result.fail("number_one_of", context, "Must validate one and only one schema (oneOf)");
                    if (valid == 0) {
                        result.merge(best);
                    }
                }
            }
            if (!allOf.isEmpty()) {
                int valid = 0;
                for (Sub s : allOf) {
                    Result r = s.subValidate(node, context);
                    if (r.errors.isEmpty()) {
                        valid++;
                    }
                    result.merge(r);
                }
                if (valid != allOf.size()) {
                    result.fail("number_all_of", context, "Must validate all the schemas (allOf)");
                }
            }
            if (not != null && not.subValidate(node, context).errors.isEmpty()) {
                result.fail("number_not", context, "Must not validate the schema (not)");
            }
            if (!dependencies.isEmpty() && node.isObject()) {
                for (var it = node.fieldNames(); it.hasNext(); ) {
                    Object dep = dependencies.get(it.next());
                    if (dep instanceof List<?> names) {
                        for (Object n : names) {
                            if (!node.has((String) n)) {
                                result.fail("missing_dependency", context, "Has a dependency on " + n);
                            }
                        }
                    } else if (dep instanceof Sub s) {
                        s.validate(node, result, context);
                    }
                }
            }
            if (ifSchema != null) {
                boolean ifValid = ifSchema.subValidate(node, context).errors.isEmpty();
                Sub branch = ifValid ? thenSchema : elseSchema;
                if (branch != null) {
                    Result r = branch.subValidate(node, context);
                    if (!r.errors.isEmpty()) {
                        result.fail(ifValid ? "condition_then" : "condition_else", context,
                                ifValid ? "Must validate \"then\" as \"if\" was valid" : "Must validate \"else\" as \"if\" was not valid");
                        result.merge(r);
                    }
                }
            }
            result.score++;
        }

        private void validateCommon(JsonNode node, Result result, List<String> context) {
            if (constValue != null && !canonical(node).equals(constValue)) {
                result.fail("const", context, field(context) + " does not match: " + constValue);
            }
            if (enumValues != null && !enumValues.contains(canonical(node))) {
                result.fail("enum", context, field(context) + " must be one of the following: " + String.join(", ", enumValues));
            }
            if (format != null && !Formats.matches(format, node)) {
                result.fail("format", context, "Does not match format '" + format + "'");
            }
            result.score++;
        }

        private void validateArray(JsonNode node, Result result, List<String> context) {
            int n = node.size();
            if (itemsSingle) {
                for (int i = 0; i < n; i++) {
                    result.merge(items.get(0).subValidate(node.get(i), with(context, String.valueOf(i))));
                }
            } else if (!items.isEmpty()) {
                for (int i = 0; i < items.size() && i < n; i++) {
                    result.merge(items.get(i).subValidate(node.get(i), with(context, String.valueOf(i))));
                }
                if (items.size() < n) {
                    if (additionalItems instanceof Boolean b && !b) {
                        result.fail("array_no_additional_items", context, "No additional items allowed on array");
                    } else if (additionalItems instanceof Sub s) {
                        for (int i = items.size(); i < n; i++) {
                            result.merge(s.subValidate(node.get(i), with(context, String.valueOf(i))));
                        }
                    }
                }
            }
            if (minItems != null && n < minItems) {
                result.fail("array_min_items", context, "Array must have at least " + minItems + " items");
            }
            if (maxItems != null && n > maxItems) {
                result.fail("array_max_items", context, "Array must have at most " + maxItems + " items");
            }
            if (uniqueItems) {
                var seen = new HashMap<String, Integer>();
                for (int j = 0; j < n; j++) {
                    String s = canonical(node.get(j));
                    Integer i = seen.get(s);
                    if (i != null) {
                        result.fail("unique", context, "array items[" + i + "," + j + "] must be unique");
                    }
                    seen.put(s, j);
                }
            }
            if (contains != null) {
                boolean one = false;
                Result best = null;
                for (int i = 0; i < n; i++) {
                    Result r = contains.subValidate(node.get(i), with(context, String.valueOf(i)));
                    if (r.errors.isEmpty()) {
                        one = true;
                        break;
                    }
                    if (best == null || r.score > best.score) {
                        best = r;
                    }
                }
                if (!one) {
                    result.fail("contains", context, "At least one of the items must match");
                    if (best != null) {
                        result.merge(best);
                    }
                }
            }
            result.score++;
        }

        private void validateObject(JsonNode node, Result result, List<String> context) {
            if (minProperties != null && node.size() < minProperties) {
                result.fail("array_min_properties", context, "Must have at least " + minProperties + " properties");
            }
            if (maxProperties != null && node.size() > maxProperties) {
                result.fail("array_max_properties", context, "Must have at most " + maxProperties + " properties");
            }
            for (String r : required) {
                if (node.has(r)) {
                    result.score++;
                } else {
                    result.fail("required", context, r + " is required");
                }
            }
            for (var it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                boolean declared = properties.stream().anyMatch(p -> p.getKey().equals(key));
                boolean matched = false;
                for (var pp : patternProperties.entrySet()) {
                    if (patterns.get(pp.getKey()).matcher(key).find()) {
                        matched = true;
                        result.merge(pp.getValue().subValidate(node.get(key), with(context, key)));
                    }
                }
                if (matched) {
                    result.score++;
                }
                if (!declared && !matched) {
                    if (additionalProperties instanceof Boolean b && !b) {
                        result.fail("additional_property_not_allowed", context, "Additional property " + key + " is not allowed");
                    } else if (additionalProperties instanceof Sub s) {
                        result.merge(s.subValidate(node.get(key), with(context, key)));
                    }
                }
            }
            if (propertyNames != null) {
                for (var it = node.fieldNames(); it.hasNext(); ) {
                    String key = it.next();
                    Result r = propertyNames.subValidate(Args.text(key), context);
                    if (!r.errors.isEmpty()) {
                        result.fail("invalid_property_name", context, "Property name of \"" + key + "\" does not match");
                        result.merge(r);
                    }
                }
            }
            result.score++;
        }

        private void validateString(String s, Result result, List<String> context) {
            int length = s.codePointCount(0, s.length());
            if (minLength != null && length < minLength) {
                result.fail("string_gte", context, "String length must be greater than or equal to " + minLength);
            }
            if (maxLength != null && length > maxLength) {
                result.fail("string_lte", context, "String length must be less than or equal to " + maxLength);
            }
            if (pattern != null && !pattern.matcher(s).find()) {
                result.fail("pattern", context, "Does not match pattern '" + patternText + "'");
            }
            result.score++;
        }

        private void validateNumber(JsonNode node, Result result, List<String> context) {
            BigDecimal v = node.decimalValue();
            if (multipleOf != null && v.divide(multipleOf, java.math.MathContext.DECIMAL128).stripTrailingZeros().scale() > 0) {
                result.fail("multiple_of", context, "Must be a multiple of " + bound(multipleOf));
            }
            if (maximum != null && v.compareTo(maximum) > 0) {
                result.fail("number_lte", context, "Must be less than or equal to " + bound(maximum));
            }
            if (exclusiveMaximum != null && v.compareTo(exclusiveMaximum) >= 0) {
                result.fail("number_lt", context, "Must be less than " + bound(exclusiveMaximum));
            }
            if (minimum != null && v.compareTo(minimum) < 0) {
                result.fail("number_gte", context, "Must be greater than or equal to " + bound(minimum));
            }
            if (exclusiveMinimum != null && v.compareTo(exclusiveMinimum) <= 0) {
                result.fail("number_gt", context, "Must be greater than " + bound(exclusiveMinimum));
            }
            result.score++;
        }
    }

    static boolean isInteger(JsonNode n) {
        return n.isIntegralNumber() || n.decimalValue().stripTrailingZeros().scale() <= 0;
    }

    /** gojsonschema's schema parsing: each keyword checked for its form, with its messages. */
    static final class Compiler {
        private final JsonNode root;
        private final Map<String, Sub> byPointer = new HashMap<>();
        private int rootDraft = HYBRID;

        Compiler(JsonNode root) {
            this.root = root;
        }

        Sub parse(JsonNode doc, int draft) {
            rootDraft = draft;
            Sub s = new Sub();
            byPointer.put("", s);
            parseInto(doc, s, draft);
            return s;
        }

        Sub resolve(String pointer) {
            Sub s = byPointer.get(pointer);
            if (s != null) {
                return s;
            }
            JsonNode target = pointer.isEmpty() ? root : root.at(pointer);
            if (target.isMissingNode()) {
                throw new BuiltinException("Reference #" + pointer + " does not resolve");
            }
            s = new Sub();
            byPointer.put(pointer, s);
            parseInto(target, s, rootDraft);
            return s;
        }

        private static BuiltinException invalidType(String expected, String given) {
            return new BuiltinException("Invalid type. Expected: " + expected + ", given: " + given);
        }

        private Sub child(JsonNode v, int draft) {
            Sub s = new Sub();
            parseInto(v, s, draft);
            return s;
        }

        private static boolean isSchema(JsonNode v, int draft) {
            return v.isObject() || (v.isBoolean() && draft >= DRAFT6);
        }

        private void parseInto(JsonNode m, Sub s, int draft) {
            if (draft >= DRAFT6 && m.isBoolean()) {
                s.pass = m.booleanValue();
                return;
            }
            if (!m.isObject()) {
                throw new BuiltinException("Expected: Valid Schema, given: Invalid JSON");
            }
            for (String k : List.of(draft == DRAFT4 ? "id" : "$id", "title", "description", "$ref")) {
                if (m.has(k) && !m.get(k).isTextual()) {
                    throw invalidType("string", k);
                }
            }
            if (m.has("definitions")) {
                JsonNode defs = m.get("definitions");
                if (!defs.isObject()) {
                    throw invalidType("Array Of Schemas", "definitions");
                }
                for (var e : defs.properties()) {
                    if (!e.getValue().isObject() && !e.getValue().isBoolean()) {
                        throw invalidType("Array Of Schemas", "definitions");
                    }
                    child(e.getValue(), draft);
                }
            }
            if (m.has("$ref")) {
                String ref = m.get("$ref").textValue();
                if (!ref.startsWith("#")) {
                    throw new BuiltinException("Reference " + ref + " is not within the schema: remote references are not fetched");
                }
                s.refPointer = java.net.URLDecoder.decode(ref.substring(1), java.nio.charset.StandardCharsets.UTF_8);
                s.compiler = this;
                return;
            }
            if (m.has("type")) {
                JsonNode t = m.get("type");
                if (t.isTextual()) {
                    addType(s, t.textValue());
                } else if (t.isArray()) {
                    for (JsonNode e : t) {
                        if (!e.isTextual()) {
                            throw invalidType("type", "string/Array Of Strings");
                        }
                        addType(s, e.textValue());
                    }
                } else {
                    throw invalidType("type", "string/Array Of Strings");
                }
            }
            if (m.has("properties")) {
                if (!m.get("properties").isObject()) {
                    throw new BuiltinException("Properties must be of type object");
                }
                for (var e : m.get("properties").properties()) {
                    if (!isSchema(e.getValue(), draft)) {
                        throw new BuiltinException("Valid Schema must be of type object");
                    }
                    s.properties.add(Map.entry(e.getKey(), child(e.getValue(), draft)));
                }
            }
            if (m.has("additionalProperties")) {
                s.additionalProperties = boolOrSchema(m.get("additionalProperties"), "additionalProperties", draft);
            }
            if (m.has("patternProperties")) {
                if (!m.get("patternProperties").isObject()) {
                    throw invalidType("Valid Schema", "patternProperties");
                }
                for (var e : m.get("patternProperties").properties()) {
                    s.patterns.put(e.getKey(), regex(e.getKey()));
                    s.patternProperties.put(e.getKey(), child(e.getValue(), draft));
                }
            }
            if (m.has("propertyNames") && draft >= DRAFT6) {
                if (!isSchema(m.get("propertyNames"), draft)) {
                    throw new BuiltinException("Invalid type. Expected: Valid Schema, given: patternProperties");
                }
                s.propertyNames = child(m.get("propertyNames"), draft);
            }
            if (m.has("dependencies")) {
                if (!m.get("dependencies").isObject()) {
                    throw new BuiltinException("dependencies must be of type object");
                }
                for (var e : m.get("dependencies").properties()) {
                    JsonNode v = e.getValue();
                    if (v.isArray()) {
                        var names = new ArrayList<String>();
                        for (JsonNode n : v) {
                            if (!n.isTextual()) {
                                throw new BuiltinException("Dependency must be of type Schema Or Array Of Strings");
                            }
                            names.add(n.textValue());
                        }
                        s.dependencies.put(e.getKey(), names);
                    } else if (isSchema(v, draft)) {
                        s.dependencies.put(e.getKey(), child(v, draft));
                    } else {
                        throw new BuiltinException("Dependency must be of type Schema Or Array Of Strings");
                    }
                }
            }
            if (m.has("items")) {
                JsonNode v = m.get("items");
                if (v.isArray()) {
                    for (JsonNode e : v) {
                        if (!e.isObject() && !e.isBoolean()) {
                            throw invalidType("Valid Schema/Array Of Schemas", "items");
                        }
                        s.items.add(child(e, draft));
                    }
                } else if (v.isObject() || v.isBoolean()) {
                    s.items.add(child(v, draft));
                    s.itemsSingle = true;
                } else {
                    throw invalidType("Valid Schema/Array Of Schemas", "items");
                }
            }
            if (m.has("additionalItems")) {
                s.additionalItems = boolOrSchema(m.get("additionalItems"), "additionalItems", draft);
            }
            if (m.has("multipleOf")) {
                if (!m.get("multipleOf").isNumber()) {
                    throw invalidType("Number", "multipleOf");
                }
                if (m.get("multipleOf").decimalValue().signum() <= 0) {
                    throw new BuiltinException("multipleOf must be strictly greater than 0");
                }
                s.multipleOf = m.get("multipleOf").decimalValue();
            }
            s.minimum = number(m, "minimum");
            s.maximum = number(m, "maximum");
            s.exclusiveMinimum = exclusive(m, s, "exclusiveMinimum", "minimum", draft);
            s.exclusiveMaximum = exclusive(m, s, "exclusiveMaximum", "maximum", draft);
            s.minLength = count(m, "minLength");
            s.maxLength = count(m, "maxLength");
            if (s.minLength != null && s.maxLength != null && s.minLength > s.maxLength) {
                throw new BuiltinException("minLength cannot be greater than maxLength");
            }
            if (m.has("pattern")) {
                if (!m.get("pattern").isTextual()) {
                    throw new BuiltinException("pattern must be of type string");
                }
                s.patternText = m.get("pattern").textValue();
                try {
                    s.pattern = regex(s.patternText);
                } catch (BuiltinException e) {
                    throw new BuiltinException("pattern must be a valid regex");
                }
            }
            if (m.has("format")) {
                if (!m.get("format").isTextual()) {
                    throw new BuiltinException("format must be of type string");
                }
                s.format = m.get("format").textValue();
            }
            s.minProperties = count(m, "minProperties");
            s.maxProperties = count(m, "maxProperties");
            if (s.minProperties != null && s.maxProperties != null && s.minProperties > s.maxProperties) {
                throw new BuiltinException("minProperties cannot be greater than maxProperties");
            }
            if (m.has("required")) {
                if (!m.get("required").isArray()) {
                    throw new BuiltinException("required must be of an array");
                }
                for (JsonNode r : m.get("required")) {
                    if (!r.isTextual()) {
                        throw new BuiltinException("required items must be string");
                    }
                    if (s.required.contains(r.textValue())) {
                        throw new BuiltinException("required items must be unique");
                    }
                    s.required.add(r.textValue());
                }
            }
            s.minItems = count(m, "minItems");
            s.maxItems = count(m, "maxItems");
            if (m.has("uniqueItems")) {
                if (!m.get("uniqueItems").isBoolean()) {
                    throw new BuiltinException("uniqueItems must be of a boolean");
                }
                s.uniqueItems = m.get("uniqueItems").booleanValue();
            }
            if (m.has("contains") && draft >= DRAFT6) {
                s.contains = child(m.get("contains"), draft);
            }
            if (m.has("const") && draft >= DRAFT6) {
                s.constValue = canonical(m.get("const"));
            }
            if (m.has("enum")) {
                if (!m.get("enum").isArray()) {
                    throw new BuiltinException("enum must be of an array");
                }
                s.enumValues = new ArrayList<>();
                for (JsonNode e : m.get("enum")) {
                    String c = canonical(e);
                    if (s.enumValues.contains(c)) {
                        throw new BuiltinException("enum items must be unique");
                    }
                    s.enumValues.add(c);
                }
            }
            for (var entry : Map.of("anyOf", s.anyOf, "oneOf", s.oneOf, "allOf", s.allOf).entrySet()) {
                if (m.has(entry.getKey())) {
                    JsonNode v = m.get(entry.getKey());
                    if (!v.isArray()) {
                        throw new BuiltinException(entry.getKey() + " must be of an array");
                    }
                    for (JsonNode e : v) {
                        entry.getValue().add(child(e, draft));
                    }
                }
            }
            if (m.has("not")) {
                if (!isSchema(m.get("not"), draft)) {
                    throw new BuiltinException("not must be of an object");
                }
                s.not = child(m.get("not"), draft);
            }
            if (draft >= DRAFT7) {
                for (String k : List.of("if", "then", "else")) {
                    if (m.has(k)) {
                        if (!isSchema(m.get(k), draft)) {
                            throw new BuiltinException(k + " must be of an object");
                        }
                        Sub c = child(m.get(k), draft);
                        switch (k) {
                            case "if" -> s.ifSchema = c;
                            case "then" -> s.thenSchema = c;
                            default -> s.elseSchema = c;
                        }
                    }
                }
            }
        }

        /** additionalProperties and additionalItems: false forbids, a schema checks, true allows. */
        private Object boolOrSchema(JsonNode v, String key, int draft) {
            if (v.isBoolean()) {
                return v.booleanValue();
            }
            if (v.isObject()) {
                return child(v, draft);
            }
            throw invalidType("boolean/Valid Schema", key);
        }

        private static void addType(Sub s, String t) {
            if (!TYPES.contains(t)) {
                throw new BuiltinException("has a primitive type that is NOT VALID -- given: /" + t + "/ Expected valid values are:["
                        + String.join(" ", TYPES) + "]");
            }
            if (s.types.contains(t)) {
                throw new BuiltinException(t + " type is duplicated");
            }
            s.types.add(t);
        }

        private static Pattern regex(String p) {
            try {
                return TextBuiltins.regex(p);
            } catch (RuntimeException e) {
                throw new BuiltinException("Invalid regex pattern '" + p + "'");
            }
        }

        private static BigDecimal number(JsonNode m, String k) {
            if (!m.has(k)) {
                return null;
            }
            if (!m.get(k).isNumber()) {
                throw new BuiltinException(k + " must be of a Number");
            }
            return m.get(k).decimalValue();
        }

        private static BigDecimal exclusive(JsonNode m, Sub s, String key, String base, int draft) {
            if (!m.has(key)) {
                return null;
            }
            JsonNode v = m.get(key);
            if (v.isBoolean() && draft != DRAFT6 && draft != DRAFT7) {
                BigDecimal b = base.equals("minimum") ? s.minimum : s.maximum;
                if (b == null) {
                    throw new BuiltinException(key + " cannot be used without " + base);
                }
                if (v.booleanValue()) {
                    if (base.equals("minimum")) {
                        s.minimum = null;
                    } else {
                        s.maximum = null;
                    }
                    return b;
                }
                return null;
            }
            if (v.isNumber() && draft != DRAFT4) {
                return v.decimalValue();
            }
            throw invalidType(draft == DRAFT4 ? "boolean" : draft == HYBRID ? "boolean/number" : "number", key);
        }

        private static Integer count(JsonNode m, String k) {
            if (!m.has(k)) {
                return null;
            }
            JsonNode v = m.get(k);
            if (!v.isNumber() || !isInteger(v) || !v.canConvertToLong()) {
                throw new BuiltinException(k + " must be of an integer");
            }
            if (v.longValue() < 0) {
                throw new BuiltinException(k + " must be greater than or equal to 0");
            }
            return (int) Math.min(Integer.MAX_VALUE, v.longValue());
        }
    }

    /** gojsonschema's format checkers; an unknown format passes, as there. */
    static final class Formats {
        private static final Pattern DATE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}$");
        private static final Pattern TIME = Pattern.compile("^\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})$");
        private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+$");
        private static final Pattern HOSTNAME = Pattern.compile(
                "^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\\-]{0,61}[a-zA-Z0-9])(\\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\\-]{0,61}[a-zA-Z0-9]))*$");
        private static final Pattern UUID = Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
        private static final Set<String> KNOWN = Set.of("date", "time", "date-time", "email", "idn-email", "hostname", "ipv4", "ipv6",
                "uri", "uri-reference", "uuid", "regex", "json-pointer");

        static boolean matches(String format, JsonNode v) {
            if (!KNOWN.contains(format) || !v.isTextual()) {
                return true;
            }
            String s = v.textValue();
            try {
                return switch (format) {
                    case "date" -> DATE.matcher(s).matches() && java.time.LocalDate.parse(s) != null;
                    case "time" -> TIME.matcher(s).matches();
                    case "date-time" -> java.time.OffsetDateTime.parse(s.replace('z', 'Z').replace('t', 'T')) != null;
                    case "email", "idn-email" -> EMAIL.matcher(s).matches();
                    case "hostname" -> s.length() <= 253 && HOSTNAME.matcher(s).matches();
                    case "ipv4" -> NetBuiltins.parseIp(s) != null && s.contains(".");
                    case "ipv6" -> NetBuiltins.parseIp(s) != null && s.contains(":");
                    case "uri" -> java.net.URI.create(s).isAbsolute();
                    case "uri-reference" -> java.net.URI.create(s) != null;
                    case "uuid" -> UUID.matcher(s).matches();
                    case "regex" -> TextBuiltins.regex(s) != null;
                    case "json-pointer" -> s.isEmpty() || s.startsWith("/");
                    default -> true;
                };
            } catch (Exception e) {
                return false;
            }
        }
    }
}
