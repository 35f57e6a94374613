package dev.plinth.engine.builtins.graphql;

/**
 * GraphQL's lexical grammar (spec §2.1), as OPA's GraphQL library (vektah/gqlparser) reads it:
 * comments are tokens (the parser attaches them to the next node), a string token's value is
 * its unescaped text, a block string's value is dedented, and a number is Int or Float by
 * its form alone.
 */
final class Lexer {

    enum Kind {
        INVALID, EOF, BANG, DOLLAR, AMP, PAREN_L, PAREN_R, SPREAD, COLON, EQUALS, AT, BRACKET_L, BRACKET_R,
        BRACE_L, BRACE_R, PIPE, NAME, INT, FLOAT, STRING, BLOCK_STRING, COMMENT
    }

    record Token(Kind kind, String value, int line, int column) {}

    private final String in;
    private int end;
    private int line = 1;
    private int lineStart;

    Lexer(String input) {
        this.in = input;
    }

    Token next() {
        skipIgnored();
        int start = end;
        if (end >= in.length()) {
            return token(Kind.EOF, "", start);
        }
        char c = in.charAt(end++);
        switch (c) {
            case '!': return token(Kind.BANG, "", start);
            case '$': return token(Kind.DOLLAR, "", start);
            case '&': return token(Kind.AMP, "", start);
            case '(': return token(Kind.PAREN_L, "", start);
            case ')': return token(Kind.PAREN_R, "", start);
            case ':': return token(Kind.COLON, "", start);
            case '=': return token(Kind.EQUALS, "", start);
            case '@': return token(Kind.AT, "", start);
            case '[': return token(Kind.BRACKET_L, "", start);
            case ']': return token(Kind.BRACKET_R, "", start);
            case '{': return token(Kind.BRACE_L, "", start);
            case '}': return token(Kind.BRACE_R, "", start);
            case '|': return token(Kind.PIPE, "", start);
            case '#': return comment(start);
            case '"':
                return in.startsWith("\"\"", end) ? blockString(start) : string(start);
            case '.':
                if (in.startsWith("..", end)) {
                    end += 2;
                    return token(Kind.SPREAD, "", start);
                }
                break;
            default:
                if (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                    return name(start);
                }
                if (c == '-' || (c >= '0' && c <= '9')) {
                    end--;
                    return number(start);
                }
        }
        end--;
        if (c == '\'') {
            throw error("Unexpected single quote character ('), did you mean to use a double quote (\")?");
        }
        throw error("Cannot parse the unexpected character \"" + c + "\".");
    }

    private Token token(Kind kind, String value, int start) {
        return new Token(kind, value, line, start - lineStart + 1);
    }

    GraphQlException error(String message) {
        return new GraphQlException(message, line, end - lineStart + 1);
    }

    private void skipIgnored() {
        while (end < in.length()) {
            char c = in.charAt(end);
            switch (c) {
                case '\t', ' ', ',', '\uFEFF' -> end++;
                case '\n' -> newLine(end + 1);
                case '\r' -> newLine(end + 1 < in.length() && in.charAt(end + 1) == '\n' ? end + 2 : end + 1);
                default -> {
                    return;
                }
            }
        }
    }

    private void newLine(int next) {
        end = next;
        line++;
        lineStart = end;
    }

    private Token comment(int start) {
        while (end < in.length() && (in.charAt(end) > 0x1f || in.charAt(end) == '\t')) {
            end++;
        }
        return token(Kind.COMMENT, in.substring(start, end), start);
    }

    private Token name(int start) {
        while (end < in.length()) {
            char c = in.charAt(end);
            if (c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                end++;
            } else {
                break;
            }
        }
        return token(Kind.NAME, in.substring(start, end), start);
    }

    private Token number(int start) {
        boolean isFloat = false;
        accept('-');
        if (accept('0')) {
            if (digits() != 0) {
                throw error("Invalid number, unexpected digit after 0");
            }
        } else if (digits() == 0) {
            throw error("Invalid number, expected digit");
        }
        if (accept('.')) {
            isFloat = true;
            if (digits() == 0) {
                throw error("Invalid number, expected digit");
            }
        }
        if (accept('e') || accept('E')) {
            isFloat = true;
            if (!accept('-')) {
                accept('+');
            }
            if (digits() == 0) {
                throw error("Invalid number, expected digit");
            }
        }
        return token(isFloat ? Kind.FLOAT : Kind.INT, in.substring(start, end), start);
    }

    private boolean accept(char c) {
        if (end < in.length() && in.charAt(end) == c) {
            end++;
            return true;
        }
        return false;
    }

    private int digits() {
        int from = end;
        while (end < in.length() && in.charAt(end) >= '0' && in.charAt(end) <= '9') {
            end++;
        }
        return end - from;
    }

    private Token string(int start) {
        var out = new StringBuilder();
        while (end < in.length()) {
            char c = in.charAt(end);
            if (c == '\n' || c == '\r') {
                break;
            }
            if (c < 0x20 && c != '\t') {
                throw error("Invalid character within String");
            }
            if (c == '"') {
                end++;
                return token(Kind.STRING, out.toString(), start);
            }
            if (c != '\\') {
                out.append(c);
                end++;
                continue;
            }
            if (end + 1 >= in.length()) {
                throw error("Invalid character escape sequence.");
            }
            char escape = in.charAt(end + 1);
            switch (escape) {
                case '"', '/', '\\' -> out.append(escape);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    end += unicodeEscape(out);
                    continue;
                }
                default -> throw error("Invalid character escape sequence: \\" + escape + ".");
            }
            end += 2;
        }
        throw error("Unterminated string.");
    }

    /** A \\uXXXX or \\u{X…} escape at {@code end}, with a following low surrogate joined; answers its length. */
    private int unicodeEscape(StringBuilder out) {
        if (end + 2 < in.length() && in.charAt(end + 2) == '{') {
            int close = in.indexOf('}', end + 3);
            if (close < 0 || close == end + 3 || close - (end + 3) > 8) {
                throw error("Invalid character escape sequence.");
            }
            int cp = hex(in.substring(end + 3, close));
            if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                throw error("Invalid character escape sequence.");
            }
            out.appendCodePoint(cp);
            return close + 1 - end;
        }
        if (end + 6 >= in.length()) {
            throw error("Invalid character escape sequence.");
        }
        int r = hex(in.substring(end + 2, end + 6));
        if (r < 0) {
            throw error("Invalid character escape sequence.");
        }
        int length = 6;
        if (r >= 0xD800 && r < 0xDC00 && end + 12 <= in.length() && in.startsWith("\\u", end + 6)) {
            int low = hex(in.substring(end + 8, end + 12));
            if (low >= 0xDC00 && low <= 0xDFFF) {
                out.appendCodePoint(Character.toCodePoint((char) r, (char) low));
                return 12;
            }
        }
        // Go writes a lone surrogate as U+FFFD.
        out.append(r >= 0xD800 && r <= 0xDFFF ? '\uFFFD' : (char) r);
        return length;
    }

    private static int hex(String s) {
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    private Token blockString(int start) {
        end += 2;
        var raw = new StringBuilder();
        while (end < in.length()) {
            char c = in.charAt(end);
            if (c == '"') {
                int quotes = 1;
                while (end + quotes < in.length() && in.charAt(end + quotes) == '"') {
                    quotes++;
                }
                if (quotes >= 3) {
                    raw.append("\"".repeat(quotes - 3));
                    end += quotes;
                    return token(Kind.BLOCK_STRING, dedent(raw.toString()), start);
                }
            }
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                throw error("Invalid character within String");
            }
            if (c == '\\' && in.startsWith("\\\"\"\"", end)) {
                raw.append("\"\"\"");
                end += 4;
            } else if (c == '\r') {
                raw.append('\n');
                newLine(end + 1 < in.length() && in.charAt(end + 1) == '\n' ? end + 2 : end + 1);
            } else if (c == '\n') {
                raw.append('\n');
                newLine(end + 1);
            } else {
                raw.append(c);
                end++;
            }
        }
        throw error("Unterminated string.");
    }

    /** The spec's BlockStringValue: common indentation removed, blank first and last lines dropped. */
    private static String dedent(String raw) {
        String[] lines = raw.split("\n", -1);
        int common = Integer.MAX_VALUE;
        for (String l : lines) {
            int indent = indent(l);
            if (indent < l.length() && indent < common) {
                common = indent;
                if (common == 0) {
                    break;
                }
            }
        }
        if (common != Integer.MAX_VALUE) {
            for (int i = 1; i < lines.length; i++) {
                lines[i] = lines[i].length() < common ? "" : lines[i].substring(common);
            }
        }
        int from = 0;
        int to = lines.length;
        while (from < to && indent(lines[from]) == Integer.MAX_VALUE) {
            from++;
        }
        while (from < to && indent(lines[to - 1]) == Integer.MAX_VALUE) {
            to--;
        }
        return String.join("\n", java.util.Arrays.asList(lines).subList(from, to));
    }

    private static int indent(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != ' ' && s.charAt(i) != '\t') {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }
}
