package dev.fulcrum.appliance.metrics;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads. Not a parser: it removes what cannot be a metric
 * name (strings, label matchers, ranges, grouping clauses, Grafana variables, numbers), and what
 * is left is a function when followed by "(", a keyword, or a metric name.
 */
final class PromQlNames {

    private static final Pattern NAME_MATCHER = Pattern.compile("__name__\\s*=~?\\s*\"([^\"]*)\"");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern BRACES = Pattern.compile("\\{[^}]*}");
    private static final Pattern BRACKETS = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?\\w+}?");
    /** A number (with any unit letters of a duration) or an identifier. */
    private static final Pattern TOKEN = Pattern.compile("\\d[\\w.]*|([a-zA-Z_:][\\w:]*)(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan", "atan2");
    /** {@code label_values(SELECTOR, label)}; {@code label_values(label)} reads no metric. */
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*\\w+\\s*\\)\\s*$");
    private static final Pattern QUERY_RESULT = Pattern.compile("^\\s*query_result\\((.*)\\)\\s*$");

    private PromQlNames() {
    }

    static Set<String> inExpression(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher byName = NAME_MATCHER.matcher(expr);
        while (byName.find()) {
            names.addAll(Set.of(byName.group(1).split("\\|")));
        }
        String rest = STRING.matcher(expr).replaceAll("\"\"");
        rest = BRACES.matcher(rest).replaceAll(" ");
        rest = BRACKETS.matcher(rest).replaceAll(" ");
        rest = GROUPING.matcher(rest).replaceAll(" ");
        rest = VARIABLE.matcher(rest).replaceAll(" ");
        Matcher token = TOKEN.matcher(rest);
        while (token.find()) {
            String word = token.group(1);
            if (word != null && token.group(2) == null && !KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                names.add(word);
            }
        }
        return names;
    }

    /** A Grafana variable's query: {@code label_values(SELECTOR, label)}, {@code query_result(EXPR)}, or none. */
    static Set<String> inVariableQuery(String query) {
        Matcher labelValues = LABEL_VALUES.matcher(query);
        if (labelValues.matches()) {
            return inExpression(labelValues.group(1));
        }
        Matcher queryResult = QUERY_RESULT.matcher(query);
        return queryResult.matches() ? inExpression(queryResult.group(1)) : Set.of();
    }
}
