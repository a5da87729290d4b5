package dev.emerald.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Server-sent events, as OpenAI streams: {@code data: {json}\n\n} for each chunk, sent at once, and
 * {@code data: [DONE]\n\n} at the end. A write that fails means the client went away: the stream is then gone,
 * and what would follow is dropped.
 */
final class EventStream {
    private final OutputStream out;
    private volatile boolean gone;

    private EventStream(OutputStream out) {
        this.out = out;
    }

    /** Sends the response headers (200, text/event-stream, no length) and opens the stream. */
    static EventStream open(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        return new EventStream(exchange.getResponseBody());
    }

    void send(JsonNode chunk) {
        try {
            write("data: " + OpenAiJson.JSON.writeValueAsString(chunk) + "\n\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    void done() {
        write("data: [DONE]\n\n");
    }

    /** Whether the client went away. */
    boolean gone() {
        return gone;
    }

    private void write(String event) {
        if (gone) {
            return;
        }
        try {
            out.write(event.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            gone = true;
        }
    }
}
