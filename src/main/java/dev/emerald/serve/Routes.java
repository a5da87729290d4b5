package dev.emerald.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.emerald.api.EmeraldModel;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.io.OutputStream;

/** Every request comes here: the endpoint by path and method, and any refusal answered as an OpenAI-style JSON error. */
final class Routes implements HttpHandler {
    private static final String ENDPOINTS = "POST /v1/completions, POST /v1/chat/completions, GET /v1/models and GET /health";

    private final EmeraldModel model;
    private final ServerSettings settings;
    private final Admission admission;
    private final Completions completions;
    private final long started = System.currentTimeMillis() / 1000;

    Routes(EmeraldModel model, ServerSettings settings) {
        this.model = model;
        this.settings = settings;
        this.admission = new Admission(settings.parallel(), settings.queue());
        this.completions = new Completions(model, settings, admission);
    }

    /** See {@link Completions#stop}. */
    void stop() {
        completions.stop();
    }

    @Override
    public void handle(HttpExchange exchange) {
        try (exchange) {
            try {
                route(exchange);
            } catch (ApiError e) {
                error(exchange, e);
            } catch (UserException e) {
                error(exchange, ApiError.badRequest(e.getMessage(), null));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error(exchange, ApiError.internal("the server is stopping"));
            } catch (IOException e) {
                // the client went away; nobody is left to answer
            } catch (RuntimeException e) {
                log(e);
                error(exchange, ApiError.internal("internal error: " + e));
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException, InterruptedException {
        String path = exchange.getRequestURI().getPath();
        switch (path) {
            case "/v1/completions" -> {
                allow(exchange, "POST");
                completions.handle(exchange, false);
            }
            case "/v1/chat/completions" -> {
                allow(exchange, "POST");
                completions.handle(exchange, true);
            }
            case "/v1/models" -> {
                allow(exchange, "GET");
                ObjectNode list = OpenAiJson.JSON.createObjectNode().put("object", "list");
                list.putArray("data").addObject().put("id", model.name()).put("object", "model").put("created", started)
                        .put("owned_by", "emerald");
                respond(exchange, 200, list);
            }
            case "/health" -> {
                allow(exchange, "GET");
                respond(exchange, 200, OpenAiJson.JSON.createObjectNode().put("status", "ok").put("model", model.name())
                        .put("running", admission.running()).put("waiting", admission.waiting())
                        .put("parallel", settings.parallel()).put("queue", settings.queue()));
            }
            default -> throw ApiError.notFound("there is no " + path + " here: this server answers " + ENDPOINTS);
        }
    }

    private static void allow(HttpExchange exchange, String method) {
        if (!exchange.getRequestMethod().equals(method)) {
            exchange.getResponseHeaders().set("Allow", method);
            throw ApiError.methodNotAllowed(exchange.getRequestURI().getPath() + " takes " + method + ", not "
                    + exchange.getRequestMethod());
        }
    }

    static void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = OpenAiJson.JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Answers with the error, unless the response has begun (a stream reports its own). */
    private static void error(HttpExchange exchange, ApiError e) {
        if (exchange.getResponseCode() != -1) {
            return;
        }
        if (e.status() == 413) {
            // the rest of the body is not read, so the connection cannot carry another request
            exchange.getResponseHeaders().set("Connection", "close");
        }
        try {
            respond(exchange, e.status(), OpenAiJson.error(e));
        } catch (IOException gone) {
            // the client went away
        }
    }

    static void log(Throwable e) {
        System.err.println("emerald serve: internal error: " + e);
    }
}
