package dev.fulcrum.appliance.admin;

import io.netty.handler.codec.http.HttpResponseStatus;

/** What an admin action answers: a status and a body of a content type. */
public record AdminReply(HttpResponseStatus status, String contentType, String body) {

    static final String JSON = "application/json; charset=utf-8";

    public static AdminReply json(HttpResponseStatus status, Object value) {
        return new AdminReply(status, JSON, Json.write(value) + "\n");
    }

    public static AdminReply ok(Object value) {
        return json(HttpResponseStatus.OK, value);
    }

    /** An error as {@code {"error": message, "problems": [...]}}. */
    public static AdminReply error(HttpResponseStatus status, String message, java.util.List<String> problems) {
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("error", message);
        if (!problems.isEmpty()) {
            body.put("problems", problems);
        }
        return json(status, body);
    }

    public static AdminReply error(HttpResponseStatus status, String message) {
        return error(status, message, java.util.List.of());
    }
}
