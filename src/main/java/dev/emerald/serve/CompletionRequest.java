package dev.emerald.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.emerald.api.Conversation;
import dev.emerald.generate.SamplingSettings;
import dev.emerald.util.UserException;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A request to /v1/completions or /v1/chat/completions, read from its JSON: the prompt (a chat's messages made
 * into one, see {@link Conversation#prompt}), the sampling settings (a field left out or null takes the server's
 * default) and whether to stream. Unknown fields are ignored, as OpenAI clients send many.
 */
record CompletionRequest(String prompt, SamplingSettings settings, boolean stream) {

    static CompletionRequest read(JsonNode body, boolean chat, SamplingSettings defaults) {
        if (!body.isObject()) {
            throw ApiError.badRequest("the request body must be a JSON object", null);
        }
        String prompt = chat ? messages(body) : prompt(body);
        string(body, "model");
        JsonNode n = field(body, "n");
        if (n != null && !(n.isIntegralNumber() && n.asLong() == 1)) {
            throw ApiError.badRequest("n must be 1: this server makes one completion per request", "n");
        }
        SamplingSettings s = defaults;
        String maxField = chat && field(body, "max_completion_tokens") != null ? "max_completion_tokens" : "max_tokens";
        JsonNode max = field(body, maxField);
        if (max != null) {
            s = apply(maxField, s, x -> x.withMaxNewTokens(integer(max, maxField)));
        }
        JsonNode temperature = field(body, "temperature");
        if (temperature != null) {
            s = apply("temperature", s, x -> x.withTemperature(number(temperature, "temperature")));
        }
        JsonNode topP = field(body, "top_p");
        if (topP != null) {
            s = apply("top_p", s, x -> x.withTopP(number(topP, "top_p")));
        }
        JsonNode topK = field(body, "top_k");
        if (topK != null) {
            s = apply("top_k", s, x -> x.withTopK(integer(topK, "top_k")));
        }
        JsonNode penalty = field(body, "repetition_penalty");
        if (penalty != null) {
            s = apply("repetition_penalty", s, x -> x.withRepetitionPenalty(number(penalty, "repetition_penalty")));
        }
        JsonNode seed = field(body, "seed");
        if (seed != null) {
            if (!seed.isIntegralNumber() || !seed.canConvertToLong()) {
                throw ApiError.badRequest("seed must be an integer, got " + seed, "seed");
            }
            s = s.withSeed(seed.asLong());
        }
        JsonNode stop = field(body, "stop");
        if (stop != null) {
            List<String> stops = stop.isArray() ? strings(stop, "stop") : List.of(string(body, "stop"));
            s = apply("stop", s, x -> x.withStop(stops));
        }
        JsonNode stream = field(body, "stream");
        if (stream != null && !stream.isBoolean()) {
            throw ApiError.badRequest("stream must be true or false, got " + stream, "stream");
        }
        return new CompletionRequest(prompt, s, stream != null && stream.asBoolean());
    }

    /** "prompt": a string, or an array of one string. */
    private static String prompt(JsonNode body) {
        JsonNode p = field(body, "prompt");
        if (p == null) {
            throw ApiError.badRequest("prompt is missing: give the text to continue", "prompt");
        }
        if (p.isArray()) {
            List<String> prompts = strings(p, "prompt");
            if (prompts.size() != 1) {
                throw ApiError.badRequest("prompt must be a string or an array of one string: this server makes one completion"
                        + " per request, got " + prompts.size(), "prompt");
            }
            return nonEmpty(prompts.getFirst());
        }
        return nonEmpty(string(body, "prompt"));
    }

    private static String nonEmpty(String prompt) {
        if (prompt.isEmpty()) {
            throw ApiError.badRequest("prompt is empty: give at least one character", "prompt");
        }
        return prompt;
    }

    /** "messages": [{role, content}], content a string or an array of {"type": "text", "text"} parts. */
    private static String messages(JsonNode body) {
        JsonNode messages = field(body, "messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiError.badRequest("messages must be a non-empty array of {\"role\", \"content\"} objects", "messages");
        }
        List<String> contents = new ArrayList<>();
        for (JsonNode m : messages) {
            JsonNode content = m.isObject() ? field(m, "content") : null;
            if (!m.isObject() || (field(m, "role") != null && !m.get("role").isTextual())) {
                throw ApiError.badRequest("each message must be an object with a string role and a content", "messages");
            }
            if (content == null || content.isTextual()) {
                contents.add(content == null ? "" : content.asText());
            } else if (content.isArray()) {
                StringBuilder text = new StringBuilder();
                for (JsonNode part : content) {
                    if (!part.path("type").asText().equals("text") || !part.path("text").isTextual()) {
                        throw ApiError.badRequest("a message's content parts must be {\"type\": \"text\", \"text\": ...}: this"
                                + " server reads text only", "messages");
                    }
                    text.append(part.get("text").asText());
                }
                contents.add(text.toString());
            } else {
                throw ApiError.badRequest("a message's content must be a string or an array of text parts, got " + content, "messages");
            }
        }
        return Conversation.prompt(contents);
    }

    /** A field's value, or null when it is missing or JSON null (which OpenAI clients send for "not set"). */
    private static JsonNode field(JsonNode body, String name) {
        JsonNode v = body.get(name);
        return v == null || v.isNull() ? null : v;
    }

    /** The string value of a field; null when it is missing. */
    private static String string(JsonNode body, String name) {
        JsonNode v = field(body, name);
        if (v != null && !v.isTextual()) {
            throw ApiError.badRequest(name + " must be a string, got " + v, name);
        }
        return v == null ? null : v.asText();
    }

    private static List<String> strings(JsonNode array, String name) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : array) {
            if (!v.isTextual()) {
                throw ApiError.badRequest(name + " must hold strings only, got " + v, name);
            }
            out.add(v.asText());
        }
        return out;
    }

    private static float number(JsonNode v, String name) {
        if (!v.isNumber()) {
            throw ApiError.badRequest(name + " must be a number, got " + v, name);
        }
        return v.floatValue();
    }

    private static int integer(JsonNode v, String name) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiError.badRequest(name + " must be an integer, got " + v, name);
        }
        return v.asInt();
    }

    /** change applied to s; a value the settings refuse is a 400 naming the field. */
    private static SamplingSettings apply(String name, SamplingSettings s, UnaryOperator<SamplingSettings> change) {
        try {
            return change.apply(s);
        } catch (UserException e) {
            throw ApiError.badRequest(name + ": " + e.getMessage(), name);
        }
    }
}
