package dev.fulcrum.l7.routing;

import java.util.List;
import java.util.Optional;

/**
 * Why a request takes the route it takes: what {@code fulcrum route} prints.
 *
 * <p>{@link #render()} gives, for example:
 * <pre>
 * listener web: GET /billing/x
 *   host "billing.example.com", path "/billing/x"
 *   1. video -> pool video: no, path "/billing/x" does not start with "/video"
 *   2. billing -> pool billing: MATCH
 * route billing, pool billing
 * </pre>
 *
 * @param host the host routed on ("" when the request names none)
 * @param path the normalised path routed on (and sent to the backend)
 * @param refusal why the request is refused before routing (answered 400), else null
 * @param verdicts every rule tried, in order, up to and including the match
 * @param match the winning route, or null (answered 404)
 */
public record RouteExplanation(String listener, String method, String uri, String host, String path,
                               String refusal, List<Verdict> verdicts, Route match) {

    public RouteExplanation {
        verdicts = List.copyOf(verdicts);
    }

    static RouteExplanation refused(String listener, String method, String uri, String reason) {
        return new RouteExplanation(listener, method, uri, "", "", reason, List.of(), null);
    }

    /**
     * One rule's outcome.
     *
     * @param index 0-based position of the rule
     * @param conditions the rule's conditions as configured, in the order they are checked
     * @param failure null when the rule matched, else the first reason it did not
     */
    public record Verdict(int index, String route, String target, List<String> conditions, String failure) {

        public Verdict {
            conditions = List.copyOf(conditions);
        }

        public boolean matched() {
            return failure == null;
        }

        @Override
        public String toString() {
            return (index + 1) + ". " + route + " -> " + target + ": " + (matched() ? "MATCH" : "no, " + failure);
        }
    }

    public Optional<Route> matchedRoute() {
        return Optional.ofNullable(match);
    }

    public boolean isRefused() {
        return refusal != null;
    }

    /** The status the proxy would answer itself with, when it would not forward: 400 or 404. */
    public Optional<Integer> localStatus() {
        if (refusal != null) {
            return Optional.of(400);
        }
        return match == null ? Optional.of(404) : Optional.empty();
    }

    /** Human-readable, one line per rule tried. */
    public String render() {
        StringBuilder out = new StringBuilder();
        out.append("listener ").append(listener).append(": ").append(method).append(' ').append(uri).append('\n');
        if (refusal != null) {
            return out.append("refused before routing (400): ").append(refusal).append('\n').toString();
        }
        out.append("  ").append(host.isEmpty() ? "no host" : "host " + Condition.quote(host))
                .append(", path ").append(Condition.quote(path)).append('\n');
        for (Verdict verdict : verdicts) {
            out.append("  ").append(verdict).append('\n');
        }
        if (match == null) {
            out.append("no route matches (404)\n");
        } else {
            out.append("route ").append(match.name()).append(", ").append(match.target()).append('\n');
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
