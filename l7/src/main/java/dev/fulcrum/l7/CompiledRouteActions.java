package dev.fulcrum.l7;

import dev.fulcrum.config.HeaderActions;
import dev.fulcrum.config.RouteActions;
import dev.fulcrum.l7.routing.RouteRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One route's path and header changes, compiled once per snapshot: header names interned,
 * the rewrite regex compiled. A route without actions costs one boolean test per request.
 */
public final class CompiledRouteActions {

    static final CompiledRouteActions NONE = new CompiledRouteActions(RouteActions.NONE);

    private final String stripPrefix;
    private final Pattern rewrite;
    private final String replacement;
    private final Edits request;
    private final Edits response;

    public CompiledRouteActions(RouteActions actions) {
        this.stripPrefix = actions.stripPrefix().orElse(null);
        this.rewrite = actions.rewritePath().map(r -> Pattern.compile(r.regex())).orElse(null);
        this.replacement = actions.rewritePath().map(RouteActions.PathRewrite::replacement).orElse(null);
        this.request = Edits.of(actions.requestHeaders());
        this.response = Edits.of(actions.responseHeaders());
    }

    /** The origin-form target the backend receives: the normalised path, rewritten, with the query. */
    String backendUri(RouteRequest routed) {
        if (stripPrefix == null && rewrite == null) {
            return routed.backendUri();
        }
        String path = rewritePath(routed.path());
        return routed.rawQuery() == null ? path : path + "?" + routed.rawQuery();
    }

    /** The path after strip_prefix or rewrite_path; {@code fulcrum route} shows it too. */
    public String rewritePath(String path) {
        if (stripPrefix != null) {
            if (!path.startsWith(stripPrefix)) {
                return path;
            }
            String rest = path.substring(stripPrefix.length());
            return rest.isEmpty() ? "/" : rest.charAt(0) == '/' ? rest : "/" + rest;
        }
        if (rewrite != null) {
            Matcher matcher = rewrite.matcher(path);
            if (!matcher.find()) {
                return path;
            }
            String rewritten = matcher.replaceFirst(replacement);
            return rewritten.startsWith("/") ? rewritten : "/" + rewritten;
        }
        return path;
    }

    void editRequest(HttpHeaders headers) {
        if (request != null) {
            request.apply(headers);
        }
    }

    void editResponse(HttpHeaders headers) {
        if (response != null) {
            response.apply(headers);
        }
    }

    /** Remove, then set, then add; null when a route has no edits for that direction. */
    private record Edits(AsciiString[] remove, AsciiString[] setNames, String[] setValues,
                         AsciiString[] addNames, String[] addValues) {

        static Edits of(HeaderActions actions) {
            if (actions.isEmpty()) {
                return null;
            }
            AsciiString[] remove = actions.remove().stream().map(AsciiString::cached).toArray(AsciiString[]::new);
            return new Edits(remove, names(actions.set()), values(actions.set()),
                    names(actions.add()), values(actions.add()));
        }

        private static AsciiString[] names(Map<String, String> entries) {
            return entries.keySet().stream().map(AsciiString::cached).toArray(AsciiString[]::new);
        }

        private static String[] values(Map<String, String> entries) {
            return entries.values().toArray(String[]::new);
        }

        void apply(HttpHeaders headers) {
            for (AsciiString name : remove) {
                headers.remove(name);
            }
            for (int i = 0; i < setNames.length; i++) {
                headers.set(setNames[i], setValues[i]);
            }
            for (int i = 0; i < addNames.length; i++) {
                headers.add(addNames[i], addValues[i]);
            }
        }
    }
}
