package dev.fulcrum.lbcore;

/** Writes a JSON string literal: the one escaping rule for access logs, log lines and the admin API. */
public final class JsonText {

    private JsonText() {
    }

    /**
     * Appends {@code value} quoted and escaped ({@code null} as {@code null}).
     *
     * @param htmlSafe also escape {@code < > &} and the JavaScript line separators, so the
     *     JSON stays inert inside an HTML page
     */
    public static StringBuilder appendQuoted(StringBuilder out, String value, boolean htmlSafe) {
        if (value == null) {
            return out.append("null");
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    boolean html = htmlSafe && (c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029);
                    if (c < 0x20 || html) {
                        unicodeEscape(out, c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    private static void unicodeEscape(StringBuilder out, char c) {
        String hex = Integer.toHexString(c);
        out.append("\\u");
        for (int pad = hex.length(); pad < 4; pad++) {
            out.append('0');
        }
        out.append(hex);
    }
}
