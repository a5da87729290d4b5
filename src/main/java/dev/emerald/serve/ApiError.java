package dev.emerald.serve;

/** A request the server refuses, answered with its HTTP status and an OpenAI-style error: {"error": {message, type, param, code}}. */
final class ApiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    private ApiError(int status, String message, String type, String param, String code) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: the request is malformed, or one of its fields (param; null if none) has a bad type or value. */
    static ApiError badRequest(String message, String param) {
        return new ApiError(400, message, "invalid_request_error", param, null);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, message, "invalid_request_error", null, "not_found");
    }

    static ApiError methodNotAllowed(String message) {
        return new ApiError(405, message, "invalid_request_error", null, "method_not_allowed");
    }

    static ApiError tooLarge(String message) {
        return new ApiError(413, message, "invalid_request_error", null, "request_too_large");
    }

    static ApiError busy(String message) {
        return new ApiError(503, message, "server_busy", null, "queue_full");
    }

    static ApiError internal(String message) {
        return new ApiError(500, message, "server_error", null, null);
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    String param() {
        return param;
    }

    String code() {
        return code;
    }
}
