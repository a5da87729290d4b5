package dev.emerald.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.emerald.api.Conversation;
import dev.emerald.generate.SamplingSettings;
import dev.emerald.util.UserException;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

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
        String max = chat && field(body, "max_completion_tokens") != null ? "max_completion_tokens" : "max_tokens";
        s = set(body, max, s, CompletionRequest::integer, SamplingSettings::withMaxNewTokens);
        s = set(body, "temperature", s, CompletionRequest::number, SamplingSettings::withTemperature);
        s = set(body, "top_p", s, CompletionRequest::number, SamplingSettings::withTopP);
        s = set(body, "top_k", s, CompletionRequest::integer, SamplingSettings::withTopK);
        s = set(body, "repetition_penalty", s, CompletionRequest::number, SamplingSettings::withRepetitionPenalty);
        s = set(body, "seed", s, CompletionRequest::longInteger, SamplingSettings::withSeed);
        s = set(body, "stop", s, (v, name) -> v.isArray() ? strings(v, name) : List.of(string(body, name)), SamplingSettings::withStop);
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

    private static long longInteger(JsonNode v, String name) {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiError.badRequest(name + " must be an integer, got " + v, name);
        }
        return v.asLong();
    }

    private static int integer(JsonNode v, String name) {
        long n = longInteger(v, name);
        if (n != (int) n) {
            throw ApiError.badRequest(name + " is out of range, got " + v, name);
        }
        return (int) n;
    }

    /** s with the field's value, read by read and set by with; a value the settings refuse is a 400 naming the field. */
    private static <T> SamplingSettings set(JsonNode body, String name, SamplingSettings s, BiFunction<JsonNode, String, T> read,
                                            BiFunction<SamplingSettings, T, SamplingSettings> with) {
        JsonNode v = field(body, name);
        if (v == null) {
            return s;
        }
        T value = read.apply(v, name);
        try {
            return with.apply(s, value);
        } catch (UserException e) {
            throw ApiError.badRequest(name + ": " + e.getMessage(), name);
        }
    }
}
