package dev.plinth.engine.builtins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * yaml.unmarshal and yaml.is_valid as OPA's (sigs.k8s.io/yaml over go-yaml) read YAML,
 * replacing opa-java-wasm's, which reads with Jackson and accepts documents Go rejects (it
 * stops at the first document, so a malformed later one or an unterminated flow goes
 * unnoticed). SnakeYAML scans and composes the whole stream, so any error anywhere fails;
 * the first document is the value; scalars resolve as Go's does (true/false only, hex and
 * legacy octal integers, no infinities in JSON), duplicate keys keep the last.
 */
final class YamlBuiltins {

    private static final Pattern INT = Pattern.compile("[-+]?(0|[1-9][0-9_]*)");
    private static final Pattern OCTAL = Pattern.compile("[-+]?0[0-7_]+");
    private static final Pattern HEX = Pattern.compile("[-+]?0x[0-9a-fA-F_]+");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?");
    private static final Pattern SPECIAL_FLOAT = Pattern.compile("[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");

    private static final org.yaml.snakeyaml.resolver.Resolver RESOLVER = new org.yaml.snakeyaml.resolver.Resolver();

    private YamlBuiltins() {}

    static List<Builtin> all() {
        return List.of(
                Builtin.pure("yaml.marshal", 1, a -> Args.text(Emitter.document(a[0]))),
                Builtin.pure("yaml.unmarshal", 1, a -> read(Args.string(a, 0))),
                Builtin.pure("yaml.is_valid", 1, a -> {
                    if (!a[0].isTextual()) {
                        return Args.bool(false);
                    }
                    try {
                        read(a[0].textValue());
                        return Args.bool(true);
                    } catch (BuiltinException | IllegalArgumentException e) {
                        return Args.bool(false);
                    }
                }));
    }

    private static final Pattern YAML_DIRECTIVE = Pattern.compile("(?m)^%YAML[ \\t]+([0-9]+)\\.([0-9]+)");

    static JsonNode read(String text) {
        var directive = YAML_DIRECTIVE.matcher(text);
        while (directive.find()) {
            if (!directive.group(1).equals("1") || !directive.group(2).equals("1")) {
                // go-yaml reads YAML 1.1 documents only.
                throw new BuiltinException("yaml: found incompatible YAML document");
            }
        }
        var options = new LoaderOptions();
        options.setAllowDuplicateKeys(true);
        options.setMaxAliasesForCollections(100);
        options.setCodePointLimit(16 << 20);
        Node first = null;
        try {
            boolean seen = false;
            for (Node doc : new Yaml(options).composeAll(new StringReader(text))) {
                if (!seen) {
                    first = doc;
                    seen = true;
                }
            }
        } catch (RuntimeException e) {
            throw new BuiltinException("yaml: " + e.getMessage());
        }
        return first == null ? Args.F.nullNode() : json(first, 0);
    }

    private static JsonNode json(Node node, int depth) {
        if (depth > 1000) {
            throw new BuiltinException("yaml: document nested too deeply");
        }
        if (node instanceof MappingNode m) {
            ObjectNode o = Args.F.objectNode();
            for (NodeTuple t : m.getValue()) {
                JsonNode key = json(t.getKeyNode(), depth + 1);
                // Go converts scalar keys to their text; a null or a collection has none.
                if (key.isNull() || key.isContainerNode()) {
                    throw new BuiltinException("yaml: unsupported map key " + key);
                }
                String k = key.isTextual() ? key.textValue() : key.asText();
                o.set(k, json(t.getValueNode(), depth + 1));
            }
            return o;
        }
        if (node instanceof SequenceNode s) {
            var a = Args.F.arrayNode();
            s.getValue().forEach(e -> a.add(json(e, depth + 1)));
            return a;
        }
        ScalarNode s = (ScalarNode) node;
        String v = s.getValue();
        if (!s.isPlain()) {
            return Args.text(v);
        }
        // SnakeYAML resolves plain scalars by YAML 1.1 (yes is a bool there); Go's rules are
        // applied instead, unless the scalar carried an explicit tag of its own.
        Tag implicitTag = RESOLVER.resolve(org.yaml.snakeyaml.nodes.NodeId.scalar, v, true);
        if (!s.getTag().equals(implicitTag) && s.getTag().equals(Tag.STR)) {
            return Args.text(v);
        }
        if (!s.getTag().equals(implicitTag) && !s.getTag().isSecondary()) {
            return Args.text(v);
        }
        return plain(v);
    }

    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** Go keeps an integer that fits int64 or uint64; a larger one becomes a float64. */
    private static JsonNode integer(BigInteger n) {
        if (n.compareTo(UINT64_MAX) <= 0 && n.bitLength() < 65) {
            return Args.F.numberNode(n);
        }
        return Args.F.numberNode(new BigDecimal(n.doubleValue()).toBigIntegerExact());
    }

    /** A plain scalar resolved as Go's YAML-to-JSON does. */
    private static JsonNode plain(String v) {
        switch (v) {
            case "", "~", "null", "Null", "NULL":
                return Args.F.nullNode();
            case "true", "True", "TRUE":
                return Args.bool(true);
            case "false", "False", "FALSE":
                return Args.bool(false);
            default:
                break;
        }
        String digits = v.replace("_", "");
        if (INT.matcher(v).matches()) {
            return integer(new BigInteger(digits.replace("+", "")));
        }
        if (HEX.matcher(v).matches()) {
            boolean negative = digits.startsWith("-");
            var n = new BigInteger(digits.replaceFirst("^[-+]?0x", ""), 16);
            return integer(negative ? n.negate() : n);
        }
        if (OCTAL.matcher(v).matches()) {
            boolean negative = digits.startsWith("-");
            var n = new BigInteger(digits.replaceFirst("^[-+]?0", ""), 8);
            return integer(negative ? n.negate() : n);
        }
        if (SPECIAL_FLOAT.matcher(v).matches()) {
            throw new BuiltinException("json: unsupported value: " + v);
        }
        if (FLOAT.matcher(v).matches() && digits.chars().anyMatch(Character::isDigit)) {
            BigDecimal d = new BigDecimal(digits.startsWith(".") || digits.startsWith("-.") || digits.startsWith("+.")
                    ? digits.replaceFirst("\\.", "0.") : digits.replace("+", "").replaceAll("\\.$", "").replaceAll("\\.([eE])", "$1"));
            // Go reads a YAML float as float64; JSON then writes a whole one without its point.
            double f = d.doubleValue();
            if (Double.isInfinite(f)) {
                // Out of float64's range, go-yaml keeps the scalar as a string.
                return Args.text(v);
            }
            return f == Math.rint(f) && Math.abs(f) < 1e21 ? Args.F.numberNode(new BigDecimal(f).toBigIntegerExact()) : Args.F.numberNode(f);
        }
        return Args.text(v);
    }

    /**
     * YAML as OPA's yaml.marshal writes it (sigs.k8s.io/yaml over go-yaml v3): block style,
     * keys sorted, two-space indentation with sequences indented under their key, strings
     * plain unless they would read back as something else (YAML 1.1 booleans included) or
     * begin or contain an indicator, multi-line strings as literal blocks.
     */
    static final class Emitter {
        private static final Pattern NON_STRING = Pattern.compile(
                "(?i)(y|yes|n|no|true|false|on|off|null|~|[-+]?(\\.inf|\\.nan))|[-+]?[0-9][0-9_]*(\\.[0-9_]*)?([eE][-+]?[0-9]+)?|[-+]?\\.[0-9]+([eE][-+]?[0-9]+)?"
                        + "|[-+]?0x[0-9a-fA-F_]+|[-+]?0o[0-7_]+|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?|<<");

        static String document(JsonNode v) {
            var out = new StringBuilder();
            if (isCollection(v) && !v.isEmpty()) {
                block(v, 0, out);
            } else {
                out.append(scalar(v, 2)).append('\n');
            }
            return out.toString();
        }

        private static boolean isCollection(JsonNode v) {
            return v.isObject() || v.isArray();
        }

        /** A non-empty map or sequence, each line at this indentation. */
        private static void block(JsonNode v, int indent, StringBuilder out) {
            String pad = " ".repeat(indent);
            if (v.isObject()) {
                var keys = new java.util.TreeSet<String>();
                v.fieldNames().forEachRemaining(keys::add);
                for (String k : keys) {
                    JsonNode e = v.get(k);
                    out.append(pad).append(scalar(Args.text(k), indent)).append(':');
                    value(e, indent, out);
                }
            } else {
                for (JsonNode e : v) {
                    out.append(pad).append('-');
                    if (isCollection(e) && !e.isEmpty()) {
                        // The first line of a nested block continues after "- ".
                        var nested = new StringBuilder();
                        block(e, indent + 2, nested);
                        out.append(' ').append(nested.substring(indent + 2));
                    } else {
                        out.append(' ').append(scalar(e, indent + 2)).append('\n');
                    }
                }
            }
        }

        private static void value(JsonNode e, int indent, StringBuilder out) {
            if (isCollection(e) && !e.isEmpty()) {
                out.append('\n');
                block(e, indent + 2, out);
            } else {
                out.append(' ').append(scalar(e, indent + 2)).append('\n');
            }
        }

        private static String scalar(JsonNode v, int indent) {
            if (v.isNull()) {
                return "null";
            }
            if (v.isBoolean()) {
                return String.valueOf(v.booleanValue());
            }
            if (v.isNumber()) {
                BigDecimal d = v.decimalValue();
                if (d.stripTrailingZeros().scale() <= 0 && d.toBigInteger().compareTo(UINT64_MAX) <= 0 && d.toBigInteger().bitLength() < 65) {
                    return d.toBigInteger().toString();
                }
                // go-yaml writes a float64 as strconv's shortest 'g', which is fmt's %v.
                return GoFormat.format("%v", List.of(new GoFormat.Arg.Float(v.doubleValue())));
            }
            if (v.isArray()) {
                return "[]";
            }
            if (v.isObject()) {
                return "{}";
            }
            return string(v.textValue(), indent);
        }

        /** A float-looking scalar beyond float64 reads back as a string, so it needs no quotes. */
        private static boolean outOfRange(String s) {
            try {
                return s.matches("[-+]?[0-9._]+[eE][-+]?[0-9]+") && Double.isInfinite(Double.parseDouble(s.replace("_", "")));
            } catch (NumberFormatException e) {
                return false;
            }
        }

        private static String string(String s, int indent) {
            if (s.isEmpty()) {
                return "\"\"";
            }
            if (s.indexOf('\n') >= 0 && s.chars().noneMatch(c -> c < 0x20 && c != '\n')) {
                String pad = " ".repeat(indent);
                String body = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
                // Chomping: "-" strips the final line break, none keeps one, "+" keeps several;
                // a first line that starts with a space needs the indentation stated (2).
                String chomp = !s.endsWith("\n") ? "-" : s.endsWith("\n\n") ? "+" : "";
                var out = new StringBuilder("|" + (s.startsWith(" ") ? "2" : "") + chomp);
                for (String line : body.split("\n", -1)) {
                    out.append('\n').append(line.isEmpty() ? "" : pad + line);
                }
                return out.toString();
            }
            if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f) || (NON_STRING.matcher(s).matches() && !outOfRange(s))) {
                var out = new StringBuilder("\"");
                for (char c : s.toCharArray()) {
                    switch (c) {
                        case '"' -> out.append("\\\"");
                        case '\\' -> out.append("\\\\");
                        case '\t' -> out.append("\\t");
                        case '\n' -> out.append("\\n");
                        case '\r' -> out.append("\\r");
                        default -> {
                            if (c < 0x20 || c == 0x7f) {
                                out.append(String.format("\\x%02X", (int) c));
                            } else {
                                out.append(c);
                            }
                        }
                    }
                }
                return out.append('"').toString();
            }
            char first = s.charAt(0);
            boolean indicator = "-?:,[]{}#&*!|>'\"%@`".indexOf(first) >= 0
                    && !(first == '-' && s.length() > 1 && s.charAt(1) != ' ')
                    && !(first == '?' && s.length() > 1 && s.charAt(1) != ' ')
                    && !(first == ':' && s.length() > 1 && s.charAt(1) != ' ');
            if (indicator || s.startsWith(" ") || s.endsWith(" ") || s.contains(": ") || s.contains(" #") || s.endsWith(":")
                    || s.equals("-") || s.startsWith("- ") || s.startsWith("---") || s.startsWith("...")) {
                return "'" + s.replace("'", "''") + "'";
            }
            return s;
        }
    }
}
