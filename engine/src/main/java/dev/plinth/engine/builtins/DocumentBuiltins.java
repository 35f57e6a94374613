package dev.plinth.engine.builtins;

import static dev.plinth.engine.builtins.Args.string;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * json.patch, json.marshal_with_options, the cast_* builtins, graph.reachable_paths and
 * uri.*. JSON Patch is written here rather than taken from a JSON Patch library because
 * OPA's differs from RFC 6902 where a policy sees it: it patches sets (a path segment names
 * the element), accepts paths as arrays of segments, and an empty path replaces the whole
 * document. uri.* follow Go's net/url parser.
 */
final class DocumentBuiltins {

    private DocumentBuiltins() {}

    static List<Builtin> all() {
        return List.of(
                Builtin.pure("json.patch", 2, a -> Patch.apply(a[0], Args.elements(a, 1, "array"))),
                Builtin.pure("json.marshal_with_options", 2, DocumentBuiltins::marshal),
                Builtin.pure("cast_array", 1, a -> cast(a, "array", a[0].isArray() ? Args.array(Args.elements(a, 0, "array")) : null)),
                Builtin.pure("cast_set", 1, a -> cast(a, "set", a[0].isArray() ? ValueText.SetNode.of(Args.elements(a, 0, "array")) : null)),
                Builtin.pure("cast_string", 1, a -> cast(a, "string", a[0].isTextual() ? a[0] : null)),
                Builtin.pure("cast_boolean", 1, a -> cast(a, "boolean", a[0].isBoolean() ? a[0] : null)),
                Builtin.pure("cast_null", 1, a -> cast(a, "null", a[0].isNull() ? a[0] : null)),
                Builtin.pure("cast_object", 1, a -> cast(a, "object", a[0].isObject() ? a[0] : null)),
                Builtin.pure("graph.reachable_paths", 2, DocumentBuiltins::reachablePaths),
                Builtin.pure("uri.parse", 1, a -> GoUrl.parse(string(a, 0)).toObject()),
                Builtin.pure("uri.is_valid", 1, a -> {
                    if (!a[0].isTextual() || a[0].textValue().isEmpty()) {
                        return Args.bool(false);
                    }
                    try {
                        GoUrl.parse(a[0].textValue());
                        return Args.bool(true);
                    } catch (BuiltinException e) {
                        return Args.bool(false);
                    }
                }));
    }

    private static JsonNode cast(JsonNode[] a, String want, JsonNode result) {
        if (result == null) {
            throw Args.typeError(1, a[0], want);
        }
        return result;
    }

    private static JsonNode marshal(JsonNode[] a) {
        JsonNode opts = Args.object(a, 1);
        String indent = "\t";
        String prefix = "";
        boolean implicit = false;
        Boolean explicit = null;
        for (Map.Entry<String, JsonNode> e : opts.properties()) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "prefix" -> {
                    if (!v.isTextual()) {
                        throw new BuiltinException("operand 2 key prefix failed cast to string");
                    }
                    prefix = v.textValue();
                    implicit = true;
                }
                case "indent" -> {
                    if (!v.isTextual()) {
                        throw new BuiltinException("operand 2 key indent failed cast to string");
                    }
                    indent = v.textValue();
                    implicit = true;
                }
                case "pretty" -> {
                    if (!v.isBoolean()) {
                        throw new BuiltinException("operand 2 key pretty failed cast to bool");
                    }
                    explicit = v.booleanValue();
                }
                default -> throw new BuiltinException("operand 2 object contained unknown key " + e.getKey());
            }
        }
        boolean pretty = explicit != null ? explicit : implicit;
        if (!pretty) {
            return Args.text(ValueText.goJson(a[0]));
        }
        var out = new StringBuilder(prefix);
        indented(a[0], out, prefix, indent, 0);
        return Args.text(out.toString());
    }

    /** Go's json.MarshalIndent: each nested line is prefix, then indent per level; "key": value. */
    private static void indented(JsonNode v, StringBuilder out, String prefix, String indent, int depth) {
        boolean object = v.isObject();
        if (!(v.isArray() || object) || v.isEmpty()) {
            out.append(ValueText.goJson(v));
            return;
        }
        out.append(object ? '{' : '[');
        var keys = new ArrayList<String>();
        if (object) {
            v.fieldNames().forEachRemaining(keys::add);
            keys.sort(null);
        }
        int n = object ? keys.size() : v.size();
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "\n" : ",\n").append(prefix).append(indent.repeat(depth + 1));
            if (object) {
                out.append(ValueText.goJson(Args.text(keys.get(i)))).append(": ");
                indented(v.get(keys.get(i)), out, prefix, indent, depth + 1);
            } else {
                indented(v.get(i), out, prefix, indent, depth + 1);
            }
        }
        out.append('\n').append(prefix).append(indent.repeat(depth)).append(object ? '}' : ']');
    }

    private static JsonNode reachablePaths(JsonNode[] a) {
        JsonNode graph = Args.object(a, 0);
        if (!a[1].isArray()) {
            throw Args.typeError(2, a[1], "{array, set}");
        }
        var result = new ArrayList<JsonNode>();
        for (JsonNode node : a[1]) {
            JsonNode edges = edges(graph, node);
            if (edges != null) {
                if (edges.isArray() && !edges.isEmpty()) {
                    for (JsonNode neighbor : edges) {
                        paths(graph, neighbor, List.of(node), result, List.of(node));
                    }
                } else {
                    result.add(Args.array(List.of(node)));
                }
            }
        }
        return ValueText.SetNode.of(result);
    }

    private static JsonNode edges(JsonNode graph, JsonNode node) {
        return node.isTextual() ? graph.get(node.textValue()) : graph.get(ValueText.write(node));
    }

    private static void paths(JsonNode graph, JsonNode root, List<JsonNode> path, List<JsonNode> out, List<JsonNode> reached) {
        JsonNode edges = edges(graph, root);
        if (edges == null) {
            out.add(Args.array(path));
            return;
        }
        var extended = new ArrayList<>(path);
        extended.add(root);
        if (!edges.isArray() || edges.isEmpty()) {
            out.add(Args.array(extended));
            return;
        }
        var seen = new ArrayList<>(reached);
        seen.add(root);
        for (JsonNode neighbor : edges) {
            if (seen.stream().anyMatch(r -> ValueBuiltins.equal(r, neighbor))) {
                out.add(Args.array(extended));
            } else {
                paths(graph, neighbor, extended, out, seen);
            }
        }
    }

    /** OPA's JSON Patch (add, remove, replace, move, copy, test), on a copy of the document. */
    static final class Patch {
        static JsonNode apply(JsonNode source, List<JsonNode> operations) {
            JsonNode doc = source.deepCopy();
            for (JsonNode op : operations) {
                if (!op.isObject()) {
                    throw new BuiltinException("must be an array of JSON-Patch objects, but at least one element is not an object");
                }
                if (!op.has("path")) {
                    throw new BuiltinException("missing required attribute 'path'");
                }
                JsonNode name = op.get("op");
                if (name == null) {
                    throw new BuiltinException("missing required attribute 'op'");
                }
                if (!name.isTextual()) {
                    throw new BuiltinException("attribute 'op' must be a string");
                }
                List<JsonNode> path = path(op.get("path"));
                switch (name.textValue()) {
                    case "add" -> doc = insert(doc, path, value(op));
                    case "remove" -> doc = delete(doc, path);
                    case "replace" -> doc = insert(delete(doc, path), path, value(op));
                    case "move" -> {
                        List<JsonNode> from = path(from(op));
                        JsonNode chunk = render(doc, from).deepCopy();
                        doc = insert(delete(doc, from), path, chunk);
                    }
                    case "copy" -> doc = insert(doc, path, render(doc, path(from(op))).deepCopy());
                    case "test" -> {
                        if (!ValueBuiltins.equal(render(doc, path), value(op))) {
                            throw new BuiltinException("value from EditTree != patch value");
                        }
                    }
                    default -> throw new BuiltinException("unrecognized op: '" + name.textValue() + "'");
                }
            }
            return doc;
        }

        private static JsonNode value(JsonNode op) {
            JsonNode v = op.get("value");
            if (v == null) {
                throw new BuiltinException("missing required attribute 'value'");
            }
            return v.deepCopy();
        }

        private static JsonNode from(JsonNode op) {
            JsonNode v = op.get("from");
            if (v == null) {
                throw new BuiltinException("missing required attribute 'from'");
            }
            return v;
        }

        static List<JsonNode> path(JsonNode p) {
            var out = new ArrayList<JsonNode>();
            if (p.isTextual()) {
                if (p.textValue().isEmpty()) {
                    return out;
                }
                String s = p.textValue().replaceFirst("^/+", "");
                for (String part : s.split("/", -1)) {
                    out.add(Args.text(part.replace("~1", "/").replace("~0", "~")));
                }
                return out;
            }
            if (p.isArray() && !(p instanceof ValueText.SetNode)) {
                p.forEach(out::add);
                return out;
            }
            throw new BuiltinException("operand 2 must be one of {set, array} containing string paths or array of path segments but got "
                    + Args.type(p));
        }

        private static int index(JsonNode segment, int size, boolean insert) {
            String s = segment.isTextual() ? segment.textValue() : segment.isIntegralNumber() ? segment.asText() : null;
            if (s == null) {
                throw new BuiltinException("invalid array index " + segment);
            }
            if (insert && s.equals("-")) {
                return size;
            }
            if (!s.matches("0|[1-9][0-9]{0,9}")) {
                throw new BuiltinException("invalid array index " + s);
            }
            long i = Long.parseLong(s);
            if (i > (insert ? size : size - 1)) {
                throw new BuiltinException("index " + s + " out of range");
            }
            return (int) i;
        }

        private static JsonNode child(JsonNode node, JsonNode segment) {
            if (node instanceof ValueText.SetNode) {
                for (JsonNode e : node) {
                    if (ValueBuiltins.equal(e, segment)) {
                        return e;
                    }
                }
                return null;
            }
            if (node.isArray()) {
                return node.get(index(segment, node.size(), false));
            }
            if (node.isObject()) {
                return node.get(key(segment));
            }
            return null;
        }

        private static String key(JsonNode segment) {
            return segment.isTextual() ? segment.textValue() : ValueText.write(segment);
        }

        static JsonNode render(JsonNode doc, List<JsonNode> path) {
            JsonNode node = doc;
            for (JsonNode seg : path) {
                node = child(node, seg);
                if (node == null) {
                    throw new BuiltinException("path " + path + " does not exist");
                }
            }
            return node;
        }

        private static JsonNode parent(JsonNode doc, List<JsonNode> path) {
            return render(doc, path.subList(0, path.size() - 1));
        }

        static JsonNode insert(JsonNode doc, List<JsonNode> path, JsonNode value) {
            if (path.isEmpty()) {
                return value;
            }
            JsonNode parent = parent(doc, path);
            JsonNode last = path.get(path.size() - 1);
            if (parent instanceof ValueText.SetNode set) {
                if (!ValueBuiltins.equal(last, value)) {
                    throw new BuiltinException("a set element's path segment must equal the value added");
                }
                if (child(set, value) == null) {
                    var elements = new ArrayList<JsonNode>();
                    set.forEach(elements::add);
                    elements.add(value);
                    ValueText.SetNode replacement = ValueText.SetNode.of(elements);
                    set.removeAll();
                    replacement.forEach(set::add);
                }
            } else if (parent.isArray()) {
                ((ArrayNode) parent).insert(index(last, parent.size(), true), value);
            } else if (parent.isObject()) {
                ((ObjectNode) parent).set(key(last), value);
            } else {
                throw new BuiltinException("cannot insert into a " + Args.type(parent));
            }
            return doc;
        }

        static JsonNode delete(JsonNode doc, List<JsonNode> path) {
            if (path.isEmpty()) {
                return Args.F.nullNode();
            }
            JsonNode parent = parent(doc, path);
            JsonNode last = path.get(path.size() - 1);
            if (parent instanceof ValueText.SetNode set) {
                for (int i = 0; i < set.size(); i++) {
                    if (ValueBuiltins.equal(set.get(i), last)) {
                        set.remove(i);
                        return doc;
                    }
                }
                throw new BuiltinException("set element " + last + " does not exist");
            }
            if (parent.isArray()) {
                ((ArrayNode) parent).remove(index(last, parent.size(), false));
            } else if (parent.isObject()) {
                if (((ObjectNode) parent).remove(key(last)) == null) {
                    throw new BuiltinException("key " + key(last) + " does not exist");
                }
            } else {
                throw new BuiltinException("cannot delete from a " + Args.type(parent));
            }
            return doc;
        }
    }

    /** Go's net/url.Parse, the parts OPA reports. */
    record GoUrl(String scheme, String host, String path, String rawPath, String rawQuery, String fragment) {

        /** Go's URL.EscapedPath: the path as written when that is a valid encoding of it, else escaped. */
        String escapedPath() {
            if (!rawPath.isEmpty()) {
                return rawPath;
            }
            return path.equals("*") ? "*" : escapePath(path);
        }

        /** Go's url.URL marshalled as a struct (as inside an x509.Certificate). */
        ObjectNode toStruct() {
            ObjectNode o = Args.F.objectNode();
            o.put("Scheme", scheme).put("Opaque", "").putNull("User");
            o.put("Host", host).put("Path", path).put("RawPath", rawPath).put("OmitHost", false).put("ForceQuery", false);
            o.put("RawQuery", rawQuery).put("Fragment", fragment).put("RawFragment", "");
            return o;
        }

        ObjectNode toObject() {
            ObjectNode o = Args.F.objectNode();
            if (!scheme.isEmpty()) {
                o.put("scheme", scheme);
            }
            String hostname = hostname();
            if (!hostname.isEmpty()) {
                o.put("hostname", hostname);
            }
            String port = port();
            if (!port.isEmpty()) {
                o.put("port", port);
            }
            if (!path.isEmpty()) {
                o.put("path", path);
                o.put("raw_path", rawPath.isEmpty() ? path : rawPath);
            }
            if (!rawQuery.isEmpty()) {
                o.put("raw_query", rawQuery);
            }
            if (!fragment.isEmpty()) {
                o.put("fragment", fragment);
            }
            return o;
        }

        private String hostname() {
            String h = host;
            if (h.startsWith("[")) {
                int end = h.indexOf(']');
                return end < 0 ? h.substring(1) : h.substring(1, end);
            }
            int colon = h.lastIndexOf(':');
            return colon < 0 ? h : h.substring(0, colon);
        }

        private String port() {
            String h = host;
            int colon = h.lastIndexOf(':');
            if (colon < 0 || (h.startsWith("[") && h.indexOf(']') > colon)) {
                return "";
            }
            String p = h.substring(colon + 1);
            return asciiDigits(p) ? p : "";
        }

        static GoUrl parse(String raw) {
            String fragment = "";
            int hash = raw.indexOf('#');
            String u = raw;
            if (hash >= 0) {
                fragment = unescape(raw.substring(hash + 1), false);
                u = raw.substring(0, hash);
            }
            for (char c : u.toCharArray()) {
                if (c < 0x20 || c == 0x7f) {
                    throw new BuiltinException("net/url: invalid control character in URL");
                }
            }
            if (u.equals("*")) {
                return new GoUrl("", "", "*", "", "", fragment);
            }
            String scheme = "";
            String rest = u;
            for (int i = 0; i < u.length(); i++) {
                char c = u.charAt(i);
                if (Character.isLetter(c) && c < 128) {
                    continue;
                }
                if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
                    if (i == 0) {
                        break;
                    }
                    continue;
                }
                if (c == ':') {
                    if (i == 0) {
                        throw new BuiltinException("missing protocol scheme");
                    }
                    scheme = u.substring(0, i).toLowerCase(java.util.Locale.ROOT);
                    rest = u.substring(i + 1);
                }
                break;
            }
            String rawQuery = "";
            if (rest.endsWith("?") && rest.indexOf('?') == rest.length() - 1) {
                rest = rest.substring(0, rest.length() - 1);
            } else {
                int q = rest.indexOf('?');
                if (q >= 0) {
                    rawQuery = rest.substring(q + 1);
                    rest = rest.substring(0, q);
                }
            }
            if (!rest.startsWith("/")) {
                if (!scheme.isEmpty()) {
                    return new GoUrl(scheme, "", "", "", rawQuery, fragment); // opaque: no path reported
                }
                int colon = rest.indexOf(':');
                int slash = rest.indexOf('/');
                if (colon >= 0 && (slash < 0 || colon < slash)) {
                    throw new BuiltinException("first path segment in URL cannot contain colon");
                }
            }
            String host = "";
            if ((!scheme.isEmpty() || !rest.startsWith("///")) && rest.startsWith("//")) {
                String authority = rest.substring(2);
                int slash = authority.indexOf('/');
                rest = slash < 0 ? "" : authority.substring(slash);
                authority = slash < 0 ? authority : authority.substring(0, slash);
                int at = authority.lastIndexOf('@');
                if (at >= 0) {
                    for (char c : authority.substring(0, at).toCharArray()) {
                        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                                || "-._:~!$&'()*+,;=%@".indexOf(c) >= 0;
                        if (!ok) {
                            throw new BuiltinException("net/url: invalid userinfo");
                        }
                    }
                }
                host = parseHost(at < 0 ? authority : authority.substring(at + 1));
            }
            String path = unescape(rest, true);
            String rawPath = escapePath(path).equals(rest) || !validEncoded(rest) ? "" : rest;
            return new GoUrl(scheme, host, path, rawPath, rawQuery, fragment);
        }

        private static String parseHost(String host) {
            if (host.startsWith("[")) {
                int end = host.lastIndexOf(']');
                if (end < 0) {
                    throw new BuiltinException("missing ']' in host");
                }
                String port = host.substring(end + 1);
                if (!port.isEmpty() && !(port.startsWith(":") && asciiDigits(port.substring(1)))) {
                    throw new BuiltinException("invalid port " + port + " after host");
                }
                return host;
            }
            int colon = host.lastIndexOf(':');
            if (colon >= 0) {
                String port = host.substring(colon + 1);
                if (!asciiDigits(port)) {
                    throw new BuiltinException("invalid port \":" + port + "\" after host");
                }
            }
            for (int i = 0; i < host.length(); i++) {
                char c = host.charAt(i);
                if (c == '%') {
                    // Go: a host may percent-encode only non-ASCII bytes (and "%25")
                    if (i + 2 < host.length() && isHex(host.charAt(i + 1)) && Character.digit(host.charAt(i + 1), 16) < 8
                            && !host.startsWith("%25", i)) {
                        throw new BuiltinException("invalid URL escape \"" + host.substring(i, i + 3) + "\"");
                    }
                } else if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || "-_.~!$&'()*+,;=:[]<>\"".indexOf(c) >= 0)) {
                    throw new BuiltinException("invalid character \"" + c + "\" in host name");
                }
            }
            return unescape(host, false);
        }

        private static boolean asciiDigits(String s) {
            return s.chars().allMatch(c -> c >= '0' && c <= '9');
        }

        private static String unescape(String s, boolean path) {
            var bytes = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '%') {
                    if (i + 2 >= s.length() || !isHex(s.charAt(i + 1)) || !isHex(s.charAt(i + 2))) {
                        String bad = s.substring(i, Math.min(s.length(), i + 3));
                        throw new BuiltinException("invalid URL escape \"" + bad + "\"");
                    }
                    bytes.write(HexFormat.fromHexDigits(s, i + 1, i + 3));
                    i += 2;
                } else {
                    bytes.writeBytes(String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        }

        private static boolean isHex(char c) {
            return Character.digit(c, 16) >= 0;
        }

        /** Go's escape(s, encodePath). */
        /** Go's validEncoded for a path: only characters a path may carry unescaped, and escapes. */
        private static boolean validEncoded(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-_.~$&+,/:;=@!'()*[]%".indexOf(c) >= 0;
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        private static String escapePath(String s) {
            var out = new StringBuilder();
            for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                char c = (char) (b & 0xff);
                boolean keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-_.~$&+,/:;=@".indexOf(c) >= 0;
                if (keep) {
                    out.append(c);
                } else {
                    out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
                }
            }
            return out.toString();
        }
    }
}
