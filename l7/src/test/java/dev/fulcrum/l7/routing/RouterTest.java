package dev.fulcrum.l7.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.config.Location;
import dev.fulcrum.config.MatchConfig;
import dev.fulcrum.config.RouteConfig;
import dev.fulcrum.config.RoutePolicy;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouterTest {

    static MatchConfig match() {
        return MatchConfig.ANY;
    }

    static MatchConfig host(String host) {
        return new MatchConfig(Optional.of(host), Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(), Map.of(), Map.of(), Map.of(), Optional.empty());
    }

    static MatchConfig path(String path) {
        return new MatchConfig(Optional.empty(), Optional.of(path), Optional.empty(), Optional.empty(),
                List.of(), Map.of(), Map.of(), Map.of(), Optional.empty());
    }

    static MatchConfig prefix(String prefix) {
        return new MatchConfig(Optional.empty(), Optional.empty(), Optional.of(prefix), Optional.empty(),
                List.of(), Map.of(), Map.of(), Map.of(), Optional.empty());
    }

    static MatchConfig regex(String regex) {
        return new MatchConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(regex),
                List.of(), Map.of(), Map.of(), Map.of(), Optional.empty());
    }

    static MatchConfig methods(String... methods) {
        return new MatchConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(methods), Map.of(), Map.of(), Map.of(), Optional.empty());
    }

    static MatchConfig headers(Map<String, String> headers) {
        return new MatchConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(), headers, Map.of(), Map.of(), Optional.empty());
    }

    static MatchConfig query(Map<String, String> query) {
        return new MatchConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(), Map.of(), query, Map.of(), Optional.empty());
    }

    static MatchConfig cookies(Map<String, String> cookies) {
        return new MatchConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(), Map.of(), Map.of(), cookies, Optional.empty());
    }

    static RouteConfig route(String name, MatchConfig match, String pool) {
        return new RouteConfig(name, match, pool, Location.NONE, RoutePolicy.DEFAULTS);
    }

    private static Router router(RouteConfig... routes) {
        return Router.compile("web", List.of(routes));
    }

    private static RouteRequest request(String method, String uri, String... headerPairs) throws Exception {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.add(headerPairs[i], headerPairs[i + 1]);
        }
        return RouteRequest.of(method, uri, headers);
    }

    private static String routed(Router router, String method, String uri, String... headers) throws Exception {
        Route route = router.match(request(method, uri, headers));
        return route == null ? null : route.name();
    }

    private static String whyNot(MatchConfig match, String method, String uri, String... headers) throws Exception {
        Router router = router(route("r", match, "p"));
        RouteExplanation explanation = router.explain(request(method, uri, headers));
        assertThat(explanation.match()).isNull();
        return explanation.verdicts().get(0).failure();
    }

    @Test
    void hostExactIgnoresCaseAndPort() throws Exception {
        Router router = router(route("billing", host("billing.example.com"), "billing"));
        assertThat(routed(router, "GET", "/", "Host", "Billing.Example.COM:8080")).isEqualTo("billing");
        assertThat(routed(router, "GET", "/", "Host", "billing.example.com.")).isEqualTo("billing");
        assertThat(routed(router, "GET", "/", "Host", "a.example")).isNull();
        assertThat(routed(router, "GET", "/")).isNull();
        assertThat(whyNot(host("billing.example.com"), "GET", "/", "Host", "a.example"))
                .isEqualTo("host \"a.example\" is not \"billing.example.com\"");
        assertThat(whyNot(host("billing.example.com"), "GET", "/")).isEqualTo("the request has no host");
    }

    @Test
    void hostWildcardMatchesSubdomainsOnly() throws Exception {
        Router router = router(route("any", host("*.example.com"), "p"));
        assertThat(routed(router, "GET", "/", "Host", "a.example.com")).isEqualTo("any");
        assertThat(routed(router, "GET", "/", "Host", "a.b.example.com:443")).isEqualTo("any");
        assertThat(routed(router, "GET", "/", "Host", "example.com")).isNull();
        assertThat(routed(router, "GET", "/", "Host", "badexample.com")).isNull();
        assertThat(whyNot(host("*.example.com"), "GET", "/", "Host", "example.org"))
                .isEqualTo("host \"example.org\" is not a subdomain of \"example.com\"");
    }

    @Test
    void hostOfAnAbsoluteUrlWinsOverTheHeader() throws Exception {
        Router router = router(route("billing", host("billing.example.com"), "billing"));
        assertThat(routed(router, "GET", "http://billing.example.com/x", "Host", "other")).isEqualTo("billing");
    }

    @Test
    void ipv6HostKeepsItsBrackets() throws Exception {
        assertThat(request("GET", "/", "Host", "[::1]:8080").host()).isEqualTo("[::1]");
    }

    @Test
    void pathIsExact() throws Exception {
        Router router = router(route("health", path("/healthz"), "p"));
        assertThat(routed(router, "GET", "/healthz")).isEqualTo("health");
        assertThat(routed(router, "GET", "/healthz?full=1")).isEqualTo("health");
        assertThat(routed(router, "GET", "/healthz/")).isNull();
        assertThat(whyNot(path("/healthz"), "GET", "/x")).isEqualTo("path \"/x\" is not \"/healthz\"");
    }

    @Test
    void pathPrefixWithoutTrailingSlashMatchesWholeSegments() throws Exception {
        Router router = router(route("video", prefix("/video"), "video"));
        assertThat(routed(router, "GET", "/video")).isEqualTo("video");
        assertThat(routed(router, "GET", "/video/x")).isEqualTo("video");
        assertThat(routed(router, "GET", "/video?x")).isEqualTo("video");
        assertThat(routed(router, "GET", "/videos")).isNull();
        assertThat(whyNot(prefix("/video"), "GET", "/billing/x"))
                .isEqualTo("path \"/billing/x\" does not start with \"/video\"");
        assertThat(whyNot(prefix("/video"), "GET", "/videos"))
                .isEqualTo("path \"/videos\" does not start with the segment \"/video\" (it continues with \"s\")");
    }

    @Test
    void pathPrefixWithTrailingSlashIsAPlainPrefix() throws Exception {
        Router router = router(route("api", prefix("/api/"), "api"), route("root", prefix("/"), "web"));
        assertThat(routed(router, "GET", "/api/v1")).isEqualTo("api");
        assertThat(routed(router, "GET", "/api")).isEqualTo("root");
        assertThat(routed(router, "GET", "/anything")).isEqualTo("root");
    }

    @Test
    void pathIsNormalisedBeforeRouting() throws Exception {
        Router router = router(route("video", prefix("/video"), "video"), route("billing", prefix("/billing"), "b"));
        assertThat(routed(router, "GET", "/billing/../video")).isEqualTo("video");
        assertThat(routed(router, "GET", "/%62illing/x")).isEqualTo("billing");
        assertThat(request("GET", "/billing/../video?q=1").backendUri()).isEqualTo("/video?q=1");
    }

    @Test
    void pathRegexMustMatchTheWholePath() throws Exception {
        Router router = router(route("user", regex("/users/[0-9]+"), "p"));
        assertThat(routed(router, "GET", "/users/42")).isEqualTo("user");
        assertThat(routed(router, "GET", "/users/42/x")).isNull();
        assertThat(whyNot(regex("/users/[0-9]+"), "GET", "/users/me"))
                .isEqualTo("path \"/users/me\" does not match \"/users/[0-9]+\"");
        assertThatThrownBy(() -> router(route("bad", regex("(["), "p")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("listener web: route bad: path_regex \"([\" is invalid");
    }

    @Test
    void methodIsAnyOfTheList() throws Exception {
        Router router = router(route("writes", methods("post", "PUT"), "p"));
        assertThat(routed(router, "POST", "/")).isEqualTo("writes");
        assertThat(routed(router, "PUT", "/")).isEqualTo("writes");
        assertThat(routed(router, "GET", "/")).isNull();
        assertThat(whyNot(methods("POST", "PUT"), "GET", "/")).isEqualTo("method GET is not one of POST, PUT");
        assertThat(whyNot(methods("POST"), "GET", "/")).isEqualTo("method GET is not POST");
    }

    @Test
    void headerNameIsCaseInsensitiveAndValueExact() throws Exception {
        Router router = router(route("canary", headers(Map.of("X-Env", "canary")), "p"));
        assertThat(routed(router, "GET", "/", "x-env", "canary")).isEqualTo("canary");
        assertThat(routed(router, "GET", "/", "X-Env", "prod", "X-ENV", "canary")).isEqualTo("canary");
        assertThat(routed(router, "GET", "/", "X-Env", "Canary")).isNull();
        assertThat(routed(router, "GET", "/", "X-Env", "canary, prod")).isNull();
        assertThat(whyNot(headers(Map.of("X-Env", "canary")), "GET", "/"))
                .isEqualTo("header \"x-env\" is missing");
        assertThat(whyNot(headers(Map.of("X-Env", "canary")), "GET", "/", "X-Env", "prod"))
                .isEqualTo("header \"x-env\" is \"prod\", not \"canary\"");
    }

    @Test
    void queryParameterIsDecodedAndExact() throws Exception {
        Router router = router(route("v2", query(Map.of("version", "2 beta")), "p"));
        assertThat(routed(router, "GET", "/a?x=1&version=2%20beta")).isEqualTo("v2");
        assertThat(routed(router, "GET", "/a?version=2")).isNull();
        assertThat(routed(router, "GET", "/a")).isNull();
        assertThat(whyNot(query(Map.of("version", "2")), "GET", "/a?version=1"))
                .isEqualTo("query parameter \"version\" is \"1\", not \"2\"");
        assertThat(whyNot(query(Map.of("version", "2")), "GET", "/a"))
                .isEqualTo("query parameter \"version\" is missing");
    }

    @Test
    void cookieIsExact() throws Exception {
        Router router = router(route("beta", cookies(Map.of("group", "beta")), "p"));
        assertThat(routed(router, "GET", "/", "Cookie", "a=1; group=beta")).isEqualTo("beta");
        assertThat(routed(router, "GET", "/", "Cookie", "a=1", "Cookie", "group=beta")).isEqualTo("beta");
        assertThat(routed(router, "GET", "/", "Cookie", "group=alpha")).isNull();
        assertThat(whyNot(cookies(Map.of("group", "beta")), "GET", "/", "Cookie", "group=alpha"))
                .isEqualTo("cookie \"group\" is \"alpha\", not \"beta\"");
        assertThat(whyNot(cookies(Map.of("group", "beta")), "GET", "/")).isEqualTo("cookie \"group\" is missing");
    }

    @Test
    void allKeysOfARuleMustHold() throws Exception {
        MatchConfig both = new MatchConfig(Optional.of("api.example.com"), Optional.empty(), Optional.of("/v1"),
                Optional.empty(), List.of("GET"), Map.of(), Map.of(), Map.of(), Optional.empty());
        Router router = router(route("api", both, "api"), route("default", match(), "web"));
        assertThat(routed(router, "GET", "/v1/x", "Host", "api.example.com")).isEqualTo("api");
        assertThat(routed(router, "POST", "/v1/x", "Host", "api.example.com")).isEqualTo("default");
        assertThat(routed(router, "GET", "/v2", "Host", "api.example.com")).isEqualTo("default");
    }

    @Test
    void firstMatchWins() throws Exception {
        Router router = router(route("first", prefix("/"), "a"), route("second", prefix("/"), "b"));
        Route route = router.match(request("GET", "/x"));
        assertThat(route.name()).isEqualTo("first");
        assertThat(route.index()).isZero();
    }

    @Test
    void explainListsEveryRuleUntilTheMatch() {
        Router router = router(
                route("video", prefix("/video"), "video"),
                route("billing", host("billing.example.com"), "billing"),
                route("default", match(), "web"));
        HttpHeaders headers = new DefaultHttpHeaders().add("Host", "billing.example.com");

        RouteExplanation explanation = router.explain("GET", "/billing/x", headers);

        assertThat(explanation.match().name()).isEqualTo("billing");
        assertThat(explanation.verdicts()).hasSize(2);
        assertThat(explanation.verdicts().get(0).failure())
                .isEqualTo("path \"/billing/x\" does not start with \"/video\"");
        assertThat(explanation.verdicts().get(1).matched()).isTrue();
        assertThat(explanation.render()).isEqualTo("""
                listener web: GET /billing/x
                  host "billing.example.com", path "/billing/x"
                  1. video -> pool video: no, path "/billing/x" does not start with "/video"
                  2. billing -> pool billing: MATCH
                route billing, pool billing
                """);
    }

    @Test
    void explainWithoutMatchSays404() {
        Router router = router(route("video", prefix("/video"), "video"));
        RouteExplanation explanation = router.explain("GET", "http://a.example/x", new DefaultHttpHeaders());
        assertThat(explanation.match()).isNull();
        assertThat(explanation.localStatus()).contains(404);
        assertThat(explanation.render()).contains("host \"a.example\"").endsWith("no route matches (404)\n");
    }

    @Test
    void explainOfARefusedPathSays400() {
        Router router = router(route("video", prefix("/video"), "video"));
        RouteExplanation explanation = router.explain("GET", "/a%2Fb", new DefaultHttpHeaders());
        assertThat(explanation.isRefused()).isTrue();
        assertThat(explanation.localStatus()).contains(400);
        assertThat(explanation.render()).contains("refused before routing (400): encoded slash (%2F) in path");
    }

    @Test
    void sniOnAnHttpListenerIsRefused() {
        MatchConfig sni = new MatchConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(), Map.of(), Map.of(), Map.of(), Optional.of("a.example"));
        assertThatThrownBy(() -> router(route("tls", sni, "p"))).hasMessageContaining("sni");
    }

    @Test
    void badTargetsAreRefused() {
        assertThatThrownBy(() -> request("GET", "*")).isInstanceOf(InvalidRequestTargetException.class);
        assertThatThrownBy(() -> request("CONNECT", "example.com:443")).isInstanceOf(InvalidRequestTargetException.class);
        assertThatThrownBy(() -> request("GET", "http://user@host/")).isInstanceOf(InvalidRequestTargetException.class);
        assertThatThrownBy(() -> request("GET", "/a?b=\u0001")).isInstanceOf(InvalidRequestTargetException.class);
    }

    @Test
    void absoluteFormBecomesOriginFormForTheBackend() throws Exception {
        assertThat(request("GET", "http://h.example:81/a/../b?x=1").backendUri()).isEqualTo("/b?x=1");
        assertThat(request("GET", "HTTP://h.example").backendUri()).isEqualTo("/");
        assertThat(request("GET", "http://h.example?x").backendUri()).isEqualTo("/?x");
        String unchanged = "/same?x=1";
        assertThat(request("GET", unchanged).backendUri()).isSameAs(unchanged);
        assertThat(request("OPTIONS", "*").path()).isEqualTo("*");
    }
}
