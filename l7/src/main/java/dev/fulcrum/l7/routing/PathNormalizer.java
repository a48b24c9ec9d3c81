package dev.fulcrum.l7.routing;

/**
 * Puts a request path in the one form that is both routed on and sent to the backend, so a
 * rule and the backend can never disagree about which resource a request names.
 *
 * <ul>
 *   <li>Percent-encoded unreserved characters ({@code A-Z a-z 0-9 - . _ ~}) are decoded; other
 *       percent-encodings are kept, with upper-case hex digits (RFC 3986 6.2.2).</li>
 *   <li>Dot segments are removed after decoding (RFC 3986 5.2.4), so {@code /a/%2e%2e/b} is
 *       {@code /b}; a path cannot climb above {@code /}.</li>
 *   <li>Refused: an encoded slash {@code %2F} (backends disagree on whether it separates
 *       segments), NUL raw or encoded, malformed percent-encodings, control characters, space,
 *       backslash, {@code #}, and bytes outside ASCII (they must be percent-encoded).</li>
 *   <li>Kept as written: repeated slashes ({@code //}) and {@code ;} parameters.</li>
 * </ul>
 *
 * A path that is already normal is returned as the same instance, without allocation.
 */
public final class PathNormalizer {

    private PathNormalizer() {
    }

    /**
     * @param path the path of an origin-form request target, without the query
     * @return the normalised path, starting with {@code /}
     */
    public static String normalize(String path) throws InvalidRequestTargetException {
        int length = path.length();
        if (length == 0 || path.charAt(0) != '/') {
            throw new InvalidRequestTargetException("path must start with \"/\"");
        }
        boolean needsDecoding = false;
        boolean needsDotRemoval = false;
        for (int i = 0; i < length; i++) {
            char c = path.charAt(i);
            if (c == '%') {
                needsDecoding = true;
            } else if (c == '.' && path.charAt(i - 1) == '/') {
                needsDotRemoval = true;
            } else if (!isAllowed(c)) {
                throw new InvalidRequestTargetException(describe(c) + " in path");
            }
        }
        if (!needsDecoding && !needsDotRemoval) {
            return path;
        }
        String decoded = needsDecoding ? decodeUnreserved(path) : path;
        return decoded.indexOf("/.") >= 0 ? removeDotSegments(decoded) : decoded;
    }

    private static boolean isAllowed(char c) {
        return c > 0x20 && c < 0x7F && c != '\\' && c != '#';
    }

    private static String describe(char c) {
        if (c == 0) {
            return "NUL";
        }
        if (c == ' ') {
            return "space";
        }
        if (c < 0x20 || c == 0x7F) {
            return "control character";
        }
        if (c > 0x7E) {
            return "non-ASCII character";
        }
        return "\"" + c + "\"";
    }

    private static String decodeUnreserved(String path) throws InvalidRequestTargetException {
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 2 >= path.length()) {
                throw new InvalidRequestTargetException("malformed percent-encoding in path");
            }
            int high = Character.digit(path.charAt(i + 1), 16);
            int low = Character.digit(path.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                throw new InvalidRequestTargetException("malformed percent-encoding in path");
            }
            char decoded = (char) (high << 4 | low);
            if (decoded == 0) {
                throw new InvalidRequestTargetException("encoded NUL in path");
            }
            if (decoded == '/') {
                throw new InvalidRequestTargetException("encoded slash (%2F) in path");
            }
            if (isUnreserved(decoded)) {
                out.append(decoded);
            } else {
                out.append('%').append(Character.toUpperCase(path.charAt(i + 1)))
                        .append(Character.toUpperCase(path.charAt(i + 2)));
            }
            i += 2;
        }
        return out.toString();
    }

    private static boolean isUnreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /** RFC 3986 5.2.4 for an absolute path: the input always starts with "/". */
    static String removeDotSegments(String path) {
        char[] in = path.toCharArray();
        int i = 0;
        int end = in.length;
        StringBuilder out = new StringBuilder(end);
        while (i < end) {
            // in[i] is always '/' here.
            if (isDotSegment(in, i, end, 1)) {
                // "/./" -> "/" and a final "/." -> "/"
                i += 2;
                if (i == end) {
                    out.append('/');
                }
            } else if (isDotSegment(in, i, end, 2)) {
                // "/../" -> "/" and a final "/.." -> "/", dropping the last output segment
                int cut = out.lastIndexOf("/");
                out.setLength(Math.max(cut, 0));
                i += 3;
                if (i >= end) {
                    out.append('/');
                }
            } else {
                int next = i + 1;
                while (next < end && in[next] != '/') {
                    next++;
                }
                out.append(in, i, next - i);
                i = next;
            }
        }
        return out.toString();
    }

    /** True when in[slash] starts a segment of exactly {@code dots} dots. */
    private static boolean isDotSegment(char[] in, int slash, int end, int dots) {
        int i = slash + 1;
        for (int d = 0; d < dots; d++, i++) {
            if (i >= end || in[i] != '.') {
                return false;
            }
        }
        return i == end || in[i] == '/';
    }
}
