package dev.fulcrum.appliance.admin;

import java.util.Map;

/**
 * An admin request as an action sees it.
 *
 * @param vars the {@code {name}} parts of the route's path
 * @param body the request body as text
 * @param client who sent it, for the log
 */
public record AdminRequest(Map<String, String> vars, String body, String client) {

    public String var(String name) {
        return vars.get(name);
    }
}
