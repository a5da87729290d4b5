package dev.emerald.serve;

import com.sun.net.httpserver.HttpExchange;
import dev.emerald.api.EmeraldModel;
import dev.emerald.generate.Completion;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** POST /v1/completions and /v1/chat/completions: read, wait for a place, generate, answer whole or streamed. */
final class Completions {
    private final EmeraldModel model;
    private final ServerSettings settings;
    private final Admission admission;
    private volatile boolean stopping;

    Completions(EmeraldModel model, ServerSettings settings, Admission admission) {
        this.model = model;
        this.settings = settings;
        this.admission = admission;
    }

    void handle(HttpExchange exchange, boolean chat) throws IOException, InterruptedException {
        CompletionRequest request = CompletionRequest.read(RequestBody.read(exchange, settings.maxRequestBytes()), chat, settings.defaults());
        try {
            model.countTokens(request.prompt()); // a prompt the vocabulary cannot hold is refused before it waits
        } catch (UserException e) {
            throw ApiError.badRequest(e.getMessage(), chat ? "messages" : "prompt");
        }
        if (!admission.enter()) {
            exchange.getResponseHeaders().set("Retry-After", "1");
            throw ApiError.busy("the server is busy: " + admission.running() + " completions are running and "
                    + settings.queue() + " requests waiting (its --parallel and --queue); retry later");
        }
        try {
            if (stopping) {
                throw ApiError.busy("the server is stopping");
            }
            String id = (chat ? "chatcmpl-" : "cmpl-") + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
            OpenAiJson json = new OpenAiJson(chat, id, System.currentTimeMillis() / 1000, model.name());
            if (request.stream()) {
                stream(exchange, request, json);
            } else {
                Completion c = model.generate(request.prompt(), request.settings(), piece -> { }, () -> stopping);
                Routes.respond(exchange, 200, json.completion(c));
            }
        } finally {
            admission.leave();
        }
    }

    /** Ends the running generations at their next token (finish reason "cancelled") and turns away those waiting. */
    void stop() {
        stopping = true;
    }

    /** Streams the pieces as they come; a client that goes away cancels its generation. */
    private void stream(HttpExchange exchange, CompletionRequest request, OpenAiJson json) throws IOException {
        EventStream events = EventStream.open(exchange);
        if (json.start() != null) {
            events.send(json.start());
        }
        try {
            Completion c = model.generate(request.prompt(), request.settings(), piece -> events.send(json.piece(piece)),
                    () -> stopping || events.gone());
            events.send(json.end(c));
        } catch (RuntimeException e) {
            Routes.log(e);
            events.send(OpenAiJson.error(ApiError.internal("the generation failed: " + e.getMessage())));
        }
        events.done();
    }
}
