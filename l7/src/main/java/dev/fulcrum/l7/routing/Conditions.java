package dev.fulcrum.l7.routing;

import dev.fulcrum.config.MatchConfig;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles a {@link MatchConfig} into conditions, checked in a fixed order (cheap ones
 * first): host, method, path, path_prefix, path_regex, headers, query, cookies.
 */
final class Conditions {

    private Conditions() {
    }

    static Condition[] compile(MatchConfig match) {
        if (match.sni().isPresent()) {
            throw new IllegalArgumentException("sni matches only apply to tcp and tls listeners");
        }
        List<Condition> conditions = new ArrayList<>();
        match.host().ifPresent(host -> conditions.add(host(host)));
        if (!match.methods().isEmpty()) {
            conditions.add(new MethodCondition(match.methods()));
        }
        match.path().ifPresent(path -> conditions.add(new PathCondition(path)));
        match.pathPrefix().ifPresent(prefix -> conditions.add(new PathPrefixCondition(prefix)));
        match.pathRegex().ifPresent(regex -> conditions.add(new PathRegexCondition(regex)));
        // Sorted so the first failing key of several is the same on every run.
        new TreeMap<>(match.headers()).forEach((name, value) -> conditions.add(new HeaderCondition(name, value)));
        new TreeMap<>(match.query()).forEach((name, value) -> conditions.add(new QueryCondition(name, value)));
        new TreeMap<>(match.cookies()).forEach((name, value) -> conditions.add(new CookieCondition(name, value)));
        return conditions.toArray(new Condition[0]);
    }

    static Condition host(String host) {
        String wanted = host.toLowerCase(Locale.ROOT);
        if (wanted.startsWith("*.") && wanted.length() > 2) {
            return new HostSuffixCondition(wanted.substring(1));
        }
        if (wanted.isEmpty() || wanted.indexOf('*') >= 0) {
            throw new IllegalArgumentException("host " + Condition.quote(host)
                    + " must be a name or *.suffix (leave host out to match any host)");
        }
        return new HostCondition(wanted);
    }

    private static String hostOf(RouteRequest request) {
        return request.host().isEmpty() ? "the request has no host" : "host " + Condition.quote(request.host());
    }

    /** Exact host, case-insensitive, port ignored. */
    static final class HostCondition extends Condition {
        private final String host;

        HostCondition(String host) {
            this.host = host;
        }

        @Override
        boolean test(RouteRequest request) {
            return request.host().equals(host);
        }

        @Override
        String whyNot(RouteRequest request) {
            return request.host().isEmpty() ? hostOf(request) : hostOf(request) + " is not " + quote(host);
        }

        @Override
        String describe() {
            return "host " + quote(host);
        }
    }

    /** {@code *.example.com}: any host ending in {@code .example.com}, not {@code example.com} itself. */
    static final class HostSuffixCondition extends Condition {
        private final String suffix;

        HostSuffixCondition(String dotSuffix) {
            this.suffix = dotSuffix;
        }

        @Override
        boolean test(RouteRequest request) {
            String host = request.host();
            return host.length() > suffix.length() && host.endsWith(suffix);
        }

        @Override
        String whyNot(RouteRequest request) {
            return request.host().isEmpty() ? hostOf(request) : hostOf(request) + " is not a subdomain of "
                    + quote(suffix.substring(1));
        }

        @Override
        String describe() {
            return "host " + quote("*" + suffix);
        }
    }

    /** Any of the listed methods; methods are case-sensitive, configuration is upper-cased. */
    static final class MethodCondition extends Condition {
        private final String[] methods;

        MethodCondition(List<String> methods) {
            this.methods = methods.stream().map(m -> m.toUpperCase(Locale.ROOT)).toArray(String[]::new);
        }

        @Override
        boolean test(RouteRequest request) {
            String method = request.method();
            for (String candidate : methods) {
                if (candidate.equals(method)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        String whyNot(RouteRequest request) {
            return methods.length == 1
                    ? "method " + request.method() + " is not " + methods[0]
                    : "method " + request.method() + " is not one of " + String.join(", ", methods);
        }

        @Override
        String describe() {
            return "method " + String.join("|", methods);
        }
    }

    /** The exact normalised path. */
    static final class PathCondition extends Condition {
        private final String path;

        PathCondition(String path) {
            this.path = path;
        }

        @Override
        boolean test(RouteRequest request) {
            return request.path().equals(path);
        }

        @Override
        String whyNot(RouteRequest request) {
            return "path " + quote(request.path()) + " is not " + quote(path);
        }

        @Override
        String describe() {
            return "path " + quote(path);
        }
    }

    /**
     * A path prefix. A prefix ending in {@code /} is a plain string prefix ({@code /api/} matches
     * {@code /api/} and {@code /api/x}). Any other prefix matches whole segments only:
     * {@code /video} matches {@code /video} and {@code /video/x} but not {@code /videos},
     * which is what people mean when they write it.
     */
    static final class PathPrefixCondition extends Condition {
        private final String prefix;
        private final boolean segmentAware;

        PathPrefixCondition(String prefix) {
            if (!prefix.startsWith("/")) {
                throw new IllegalArgumentException("path_prefix " + quote(prefix) + " must start with \"/\"");
            }
            this.prefix = prefix;
            this.segmentAware = !prefix.endsWith("/");
        }

        @Override
        boolean test(RouteRequest request) {
            String path = request.path();
            if (!path.startsWith(prefix)) {
                return false;
            }
            return !segmentAware || path.length() == prefix.length() || path.charAt(prefix.length()) == '/';
        }

        @Override
        String whyNot(RouteRequest request) {
            String path = request.path();
            if (path.startsWith(prefix)) {
                return "path " + quote(path) + " does not start with the segment " + quote(prefix)
                        + " (it continues with " + quote(path.substring(prefix.length())) + ")";
            }
            return "path " + quote(path) + " does not start with " + quote(prefix);
        }

        @Override
        String describe() {
            return "path_prefix " + quote(prefix);
        }
    }

    /** A regular expression that must match the whole normalised path. */
    static final class PathRegexCondition extends Condition {
        private final Pattern pattern;

        PathRegexCondition(String regex) {
            try {
                this.pattern = Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("path_regex " + quote(regex) + " is invalid: "
                        + e.getDescription(), e);
            }
        }

        @Override
        boolean test(RouteRequest request) {
            return pattern.matcher(request.path()).matches();
        }

        @Override
        String whyNot(RouteRequest request) {
            return "path " + quote(request.path()) + " does not match " + quote(pattern.pattern());
        }

        @Override
        String describe() {
            return "path_regex " + quote(pattern.pattern());
        }
    }

    /** A header with exactly this value (any of its occurrences); the name is case-insensitive. */
    static final class HeaderCondition extends Condition {
        private final AsciiString name;
        private final String value;

        HeaderCondition(String name, String value) {
            this.name = AsciiString.of(name.toLowerCase(Locale.ROOT));
            this.value = value;
        }

        @Override
        boolean test(RouteRequest request) {
            Iterator<String> values = request.headerValues(name);
            while (values.hasNext()) {
                if (values.next().equals(value)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        String whyNot(RouteRequest request) {
            List<String> present = request.headers().getAll(name);
            return present.isEmpty()
                    ? "header " + quote(name.toString()) + " is missing"
                    : "header " + quote(name.toString()) + " is " + quoteAll(present) + ", not " + quote(value);
        }

        @Override
        String describe() {
            return "header " + name + ": " + quote(value);
        }
    }

    /** A query parameter with exactly this decoded value (any of its occurrences). */
    static final class QueryCondition extends Condition {
        private final String name;
        private final String value;

        QueryCondition(String name, String value) {
            this.name = name;
            this.value = value;
        }

        @Override
        boolean test(RouteRequest request) {
            return request.queryValues(name).contains(value);
        }

        @Override
        String whyNot(RouteRequest request) {
            List<String> present = request.queryValues(name);
            return present.isEmpty()
                    ? "query parameter " + quote(name) + " is missing"
                    : "query parameter " + quote(name) + " is " + quoteAll(present) + ", not " + quote(value);
        }

        @Override
        String describe() {
            return "query " + name + "=" + quote(value);
        }
    }

    /** A cookie with exactly this value. */
    static final class CookieCondition extends Condition {
        private final String name;
        private final String value;

        CookieCondition(String name, String value) {
            this.name = name;
            this.value = value;
        }

        @Override
        boolean test(RouteRequest request) {
            return value.equals(request.cookie(name));
        }

        @Override
        String whyNot(RouteRequest request) {
            String present = request.cookie(name);
            return present == null
                    ? "cookie " + quote(name) + " is missing"
                    : "cookie " + quote(name) + " is " + quote(present) + ", not " + quote(value);
        }

        @Override
        String describe() {
            return "cookie " + name + "=" + quote(value);
        }
    }

    private static String quoteAll(List<String> values) {
        StringBuilder out = new StringBuilder();
        for (String v : values) {
            if (out.length() > 0) {
                out.append(" and ");
            }
            out.append(Condition.quote(v));
        }
        return out.toString();
    }

}
