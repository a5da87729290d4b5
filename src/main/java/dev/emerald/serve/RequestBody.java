package dev.emerald.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;

/** Reads a request's JSON body, never more than the limit: a body declared or found longer is refused unread. */
final class RequestBody {
    private static final ObjectReader READER = OpenAiJson.JSON.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private RequestBody() {
    }

    static JsonNode read(HttpExchange exchange, int maxBytes) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && declared(length) > maxBytes) {
            throw tooLarge(length + " bytes", maxBytes);
        }
        byte[] body = exchange.getRequestBody().readNBytes(maxBytes + 1);
        if (body.length > maxBytes) {
            throw tooLarge("over " + maxBytes + " bytes", maxBytes);
        }
        try {
            return READER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("the request body is not valid JSON: " + e.getOriginalMessage(), null);
        }
    }

    private static long declared(String length) {
        try {
            return Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static ApiError tooLarge(String size, int maxBytes) {
        return ApiError.tooLarge("the request body is " + size + "; this server takes at most " + maxBytes
                + " bytes (its --max-request-bytes): send a shorter prompt");
    }
}
