package dev.emerald.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.generate.Completion;

/**
 * The JSON objects OpenAI's API answers with, for one completion: {@code text_completion} (a completion, or a piece
 * of one when streamed), {@code chat.completion} and {@code chat.completion.chunk}.
 */
final class OpenAiJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private final boolean chat;
    private final String id;
    private final long created;
    private final String model;

    /** One completion's objects: id names it (every chunk of a stream carries the same), created in seconds since 1970. */
    OpenAiJson(boolean chat, String id, long created, String model) {
        this.chat = chat;
        this.id = id;
        this.created = created;
        this.model = model;
    }

    /** The whole completion. */
    ObjectNode completion(Completion c) {
        ObjectNode root = head(chat ? "chat.completion" : "text_completion");
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
        if (chat) {
            choice.putObject("message").put("role", "assistant").put("content", c.text());
        } else {
            choice.put("text", c.text()).putNull("logprobs");
        }
        choice.put("finish_reason", finishReason(c.finishReason()));
        usage(root, c);
        return root;
    }

    /** A chat stream's first chunk, saying who speaks (a completions stream has none: null). */
    ObjectNode start() {
        if (!chat) {
            return null;
        }
        ObjectNode root = chunk(null, null);
        ((ObjectNode) root.get("choices").get(0).get("delta")).put("role", "assistant").put("content", "");
        return root;
    }

    /** A streamed piece of text. */
    ObjectNode piece(String text) {
        return chunk(text, null);
    }

    /** A stream's last chunk: no text, why it ended, and the token counts. */
    ObjectNode end(Completion c) {
        ObjectNode root = chunk(null, finishReason(c.finishReason()));
        usage(root, c);
        return root;
    }

    /** A chunk of a stream: a piece of text (null: none) and, in the last, the finish reason (else null). */
    private ObjectNode chunk(String text, String finishReason) {
        ObjectNode root = head(chat ? "chat.completion.chunk" : "text_completion");
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
        if (chat) {
            ObjectNode delta = choice.putObject("delta");
            if (text != null) {
                delta.put("content", text);
            }
        } else {
            choice.put("text", text != null ? text : "").putNull("logprobs");
        }
        choice.put("finish_reason", finishReason);
        return root;
    }

    /** {"error": {message, type, param, code}}. */
    static ObjectNode error(ApiError e) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("error").put("message", e.getMessage()).put("type", e.type()).put("param", e.param()).put("code", e.code());
        return root;
    }

    private ObjectNode head(String object) {
        return JSON.createObjectNode().put("id", id).put("object", object).put("created", created).put("model", model);
    }

    private static void usage(ObjectNode root, Completion c) {
        root.putObject("usage").put("prompt_tokens", c.promptTokens()).put("completion_tokens", c.completionTokens())
                .put("total_tokens", c.promptTokens() + c.completionTokens());
    }

    /** "stop" for a stop string or the end-of-text token, "length" for max_tokens, "cancelled" when the server stopped it. */
    private static String finishReason(Completion.FinishReason reason) {
        return switch (reason) {
            case STOP, END_OF_TEXT -> "stop";
            case LENGTH -> "length";
            case CANCELLED -> "cancelled";
        };
    }
}
