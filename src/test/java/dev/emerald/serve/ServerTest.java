package dev.emerald.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.api.EmeraldModel;
import dev.emerald.api.ReferenceGenerator;
import dev.emerald.api.TinyModel;
import dev.emerald.backend.DeviceChoice;
import dev.emerald.generate.SamplingSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The server over HTTP, against the generator used directly: 16 concurrent streams each equal to their request's
 * completion made alone, and the refusals (400, 404, 405, 413, 503) as OpenAI-style JSON errors.
 */
class ServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SamplingSettings DEFAULTS = SamplingSettings.DEFAULTS.withMaxNewTokens(24);

    @TempDir
    static Path tmp;
    static EmeraldModel model;
    static ReferenceGenerator reference;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void load() {
        Path dir = TinyModel.checkpoint(tmp.resolve("tiny"));
        model = EmeraldModel.load(dir, DeviceChoice.CPU);
        reference = new ReferenceGenerator(dir);
    }

    @AfterAll
    static void close() {
        model.close();
        reference.close();
        client.close();
    }

    private static Server start(int parallel, int queue, int maxRequestBytes) {
        return Server.start(model, new ServerSettings("127.0.0.1", 0, parallel, queue, maxRequestBytes, DEFAULTS));
    }

    private static URI uri(Server server, String path) {
        return URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    }

    private static HttpResponse<String> post(Server server, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(server, path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(Server server, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(server, path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String expected(String prompt, SamplingSettings s) {
        return reference.text(prompt, s);
    }

    /** Client i's request: its own prompt and seed; even ones to /v1/completions, odd ones to the chat endpoint. */
    private record Client(int i) {
        boolean chat() {
            return i % 2 == 1;
        }

        String path() {
            return chat() ? "/v1/chat/completions" : "/v1/completions";
        }

        String[] words() {
            String[] all = {"the cat", "tom said", "huck ran", "a dog", "sat on", "the mat"};
            return new String[] {all[i % all.length], all[(i / 2 + 1) % all.length]};
        }

        /** The prompt the server makes: a chat's messages each followed by a newline. */
        String prompt() {
            return chat() ? words()[0] + "\n" + words()[1] + "\n" : words()[0] + " " + words()[1];
        }

        SamplingSettings settings() {
            return DEFAULTS.withTemperature(0.8f).withSeed(1000 + i).withMaxNewTokens(20 + i);
        }

        String body(boolean stream) {
            ObjectNode b = JSON.createObjectNode().put("model", "tiny").put("temperature", 0.8).put("seed", 1000 + i)
                    .put("max_tokens", 20 + i).put("stream", stream);
            if (chat()) {
                b.putArray("messages").add(JSON.createObjectNode().put("role", "system").put("content", words()[0]))
                        .add(JSON.createObjectNode().put("role", "user").put("content", words()[1]));
            } else {
                b.put("prompt", prompt());
            }
            return b.toString();
        }

        /** The text of a whole (not streamed) answer. */
        String text(JsonNode answer) {
            assertEquals(chat() ? "chat.completion" : "text_completion", answer.get("object").asText());
            JsonNode choice = answer.get("choices").get(0);
            return chat() ? choice.get("message").get("content").asText() : choice.get("text").asText();
        }
    }

    /** Reads a stream's events by the SSE format, checking each chunk's shape, and returns the text they carry. */
    private static String streamedText(Client c, HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r::body);
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), r::toString);
        assertTrue(r.body().endsWith("\n\n"), r::body);
        List<String> events = List.of(r.body().substring(0, r.body().length() - 2).split("\n\n", -1));
        assertEquals("data: [DONE]", events.getLast(), r::body);
        StringBuilder text = new StringBuilder();
        String id = null;
        for (int e = 0; e < events.size() - 1; e++) {
            String event = events.get(e);
            assertTrue(event.startsWith("data: ") && !event.contains("\n"), () -> "not one data line: " + event);
            JsonNode chunk = JSON.readTree(event.substring("data: ".length()));
            id = id == null ? chunk.get("id").asText() : id;
            assertEquals(id, chunk.get("id").asText(), "one id through the stream");
            assertTrue(id.startsWith(c.chat() ? "chatcmpl-" : "cmpl-"), id);
            assertEquals(c.chat() ? "chat.completion.chunk" : "text_completion", chunk.get("object").asText());
            assertEquals("tiny", chunk.get("model").asText());
            JsonNode choice = chunk.get("choices").get(0);
            assertEquals(0, choice.get("index").asInt());
            boolean last = e == events.size() - 2;
            assertEquals(last ? "length" : null, choice.get("finish_reason").isNull() ? null : choice.get("finish_reason").asText());
            if (c.chat() && e == 0) {
                assertEquals("assistant", choice.get("delta").get("role").asText());
            }
            if (last) {
                assertEquals(20 + c.i(), chunk.get("usage").get("completion_tokens").asInt());
            }
            JsonNode piece = c.chat() ? choice.get("delta").get("content") : choice.get("text");
            text.append(piece == null ? "" : piece.asText());
        }
        return text.toString();
    }

    @Test
    void sixteenConcurrentStreamsEachEqualTheirRequestMadeAlone() throws Exception {
        try (Server server = start(4, 16, 1 << 20)) {
            List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Client c = new Client(i);
                streams.add(client.sendAsync(HttpRequest.newBuilder(uri(server, c.path()))
                        .POST(HttpRequest.BodyPublishers.ofString(c.body(true))).build(), HttpResponse.BodyHandlers.ofString()));
            }
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Client c = new Client(i);
                String alone = expected(c.prompt(), c.settings());
                assertEquals(20 + i, alone.length());
                assertEquals(alone, streamedText(c, streams.get(i).get(120, TimeUnit.SECONDS)), "stream " + i);
                HttpResponse<String> whole = post(server, c.path(), c.body(false));
                assertEquals(200, whole.statusCode(), whole::body);
                JsonNode answer = JSON.readTree(whole.body());
                assertEquals(alone, c.text(answer), "not streamed " + i);
                assertEquals("length", answer.get("choices").get(0).get("finish_reason").asText());
                JsonNode usage = answer.get("usage");
                assertEquals(List.of(c.prompt().length(), 20 + i, c.prompt().length() + 20 + i), List.of(usage.get("prompt_tokens").asInt(),
                        usage.get("completion_tokens").asInt(), usage.get("total_tokens").asInt()));
                texts.add(alone);
            }
            assertEquals(16, texts.stream().distinct().count(), "every client's text is its own");
        }
    }

    @Test
    void stopStringsAndModelsAndHealthAnswerAsOpenAi() throws Exception {
        try (Server server = start(2, 4, 1 << 20)) {
            String whole = expected("the cat", DEFAULTS.withTemperature(0));
            String stop = whole.substring(5, 7);
            ObjectNode request = JSON.createObjectNode().put("temperature", 0);
            request.putArray("prompt").add("the cat");
            request.putArray("stop").add(stop).add("zzz");
            JsonNode answer = JSON.readTree(post(server, "/v1/completions", request.toString()).body());
            JsonNode choice = answer.get("choices").get(0);
            assertEquals(whole.substring(0, whole.indexOf(stop)), choice.get("text").asText());
            assertEquals("stop", choice.get("finish_reason").asText());
            assertTrue(choice.get("logprobs").isNull());

            JsonNode models = JSON.readTree(get(server, "/v1/models").body());
            assertEquals("list", models.get("object").asText());
            assertEquals("tiny", models.get("data").get(0).get("id").asText());
            JsonNode health = JSON.readTree(get(server, "/health").body());
            assertEquals("ok", health.get("status").asText());
            assertEquals(0, health.get("waiting").asInt());
        }
    }

    /** Asserts an OpenAI-style error: the status, and {"error": {message, type, param, code}} with the given param. */
    private static JsonNode assertError(int status, String param, HttpResponse<String> r) throws Exception {
        assertEquals(status, r.statusCode(), r::body);
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r::toString);
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertTrue(error.get("message").isTextual() && !error.get("message").asText().isEmpty(), r::body);
        assertTrue(error.get("type").isTextual(), r::body);
        assertTrue(error.has("code"), r::body);
        if (param == null) {
            assertTrue(error.get("param").isNull(), r::body);
        } else {
            assertEquals(param, error.get("param").asText(), r::body);
        }
        return error;
    }

    @Test
    void malformedRequestsGet400AndWrongPathsOrMethods404And405() throws Exception {
        try (Server server = start(2, 4, 1 << 20)) {
            assertTrue(assertError(400, null, post(server, "/v1/completions", "{\"prompt\": \"the")).get("message").asText()
                    .contains("not valid JSON"));
            assertError(400, null, post(server, "/v1/completions", "[\"the cat\"]"));
            assertError(400, null, post(server, "/v1/completions", "{\"prompt\": \"a\"} {}"));
            String[][] badFields = {
                    {"prompt", "{\"max_tokens\": 5}"},
                    {"prompt", "{\"prompt\": \"\"}"},
                    {"prompt", "{\"prompt\": [\"a\", \"b\"]}"},
                    {"prompt", "{\"prompt\": \"price: 5€\"}"},
                    {"max_tokens", "{\"prompt\": \"a\", \"max_tokens\": \"ten\"}"},
                    {"max_tokens", "{\"prompt\": \"a\", \"max_tokens\": -1}"},
                    {"max_tokens", "{\"prompt\": \"a\", \"max_tokens\": 9999999999}"},
                    {"temperature", "{\"prompt\": \"a\", \"temperature\": -1}"},
                    {"top_p", "{\"prompt\": \"a\", \"top_p\": 1.5}"},
                    {"top_k", "{\"prompt\": \"a\", \"top_k\": 2.5}"},
                    {"seed", "{\"prompt\": \"a\", \"seed\": \"7\"}"},
                    {"stop", "{\"prompt\": \"a\", \"stop\": [\"\"]}"},
                    {"stop", "{\"prompt\": \"a\", \"stop\": 5}"},
                    {"stream", "{\"prompt\": \"a\", \"stream\": \"yes\"}"},
                    {"n", "{\"prompt\": \"a\", \"n\": 2}"},
                    {"model", "{\"prompt\": \"a\", \"model\": 1}"}};
            for (String[] bad : badFields) {
                assertError(400, bad[0], post(server, "/v1/completions", bad[1]));
            }
            JsonNode t = assertError(400, "temperature", post(server, "/v1/completions", "{\"prompt\": \"a\", \"temperature\": -1}"));
            assertTrue(t.get("message").asText().contains("temperature must be 0 (greedy) or positive"), t::toString);
            assertEquals("invalid_request_error", t.get("type").asText());
            for (String messages : List.of("\"hi\"", "[]", "[{\"role\": \"user\", \"content\": 5}]", "[{\"role\": 1, \"content\": \"hi\"}]",
                    "[{\"content\": [{\"type\": \"image_url\"}]}]")) {
                assertError(400, "messages", post(server, "/v1/chat/completions", "{\"messages\": " + messages + "}"));
            }

            assertError(404, null, get(server, "/v1/embeddings"));
            HttpResponse<String> wrongMethod = get(server, "/v1/completions");
            assertError(405, null, wrongMethod);
            assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElse(null));
            // nothing above was generated, so a valid request still gets a place at once
            assertEquals(200, post(server, "/v1/completions", "{\"prompt\": \"a\", \"max_tokens\": 2}").statusCode());
        }
    }

    @Test
    void overLongBodiesGet413WithoutBeingRead() throws Exception {
        try (Server server = start(2, 4, 1024)) {
            // declared far too long: answered from the headers, the body never sent
            try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 104857600\r\n\r\n{\"prompt\": \"").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                assertTrue(in.readLine().startsWith("HTTP/1.1 413 "));
                int length = -1;
                for (String line; !(line = in.readLine()).isEmpty(); ) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).strip());
                    }
                }
                char[] body = new char[length];
                assertEquals(length, in.read(body, 0, length));
                JsonNode error = JSON.readTree(new String(body)).get("error");
                assertEquals("request_too_large", error.get("code").asText());
                assertTrue(error.get("message").asText().contains("at most 1024 bytes"), error::toString);
            }
            // no length declared (chunked): read up to the limit, then refused
            String longPrompt = "{\"prompt\": \"" + "a".repeat(1100) + "\"}";
            HttpResponse<String> chunked = client.send(HttpRequest.newBuilder(uri(server, "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(longPrompt.getBytes(StandardCharsets.UTF_8))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertError(413, null, chunked);
            // at the limit exactly, it is read
            String atLimit = "{\"max_tokens\": 1, \"prompt\": \"" + "a".repeat(1024 - 31) + "\"}";
            assertEquals(1024, atLimit.length());
            assertEquals(200, post(server, "/v1/completions", atLimit).statusCode());
        }
    }

    @Test
    void aFullQueueGets503AndAClientThatLeavesCancelsItsGeneration() throws Exception {
        try (Server server = start(1, 1, 1 << 20)) {
            Socket leaver = new Socket("127.0.0.1", server.address().getPort());
            String endless = "{\"prompt\": \"the\", \"max_tokens\": 100000000, \"stream\": true}";
            leaver.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                    + endless.length() + "\r\n\r\n" + endless).getBytes(StandardCharsets.US_ASCII));
            BufferedReader stream = new BufferedReader(new InputStreamReader(leaver.getInputStream(), StandardCharsets.UTF_8));
            while (!stream.readLine().contains("data: ")) {
                // headers and chunk sizes; the first event says the generation is running
            }
            CompletableFuture<HttpResponse<String>> queued = client.sendAsync(HttpRequest.newBuilder(uri(server, "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"tom\", \"max_tokens\": 5, \"temperature\": 0}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            waitFor(server, "waiting", 1);

            HttpResponse<String> refused = post(server, "/v1/completions", "{\"prompt\": \"a\"}");
            assertEquals("queue_full", assertError(503, null, refused).get("code").asText());
            assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));

            leaver.close(); // its generation would run for ever: the queued request gets its place only if it is cancelled
            HttpResponse<String> served = queued.get(120, TimeUnit.SECONDS);
            assertEquals(200, served.statusCode(), served::body);
            assertEquals(expected("tom", DEFAULTS.withTemperature(0).withMaxNewTokens(5)),
                    JSON.readTree(served.body()).get("choices").get(0).get("text").asText());
        }
    }

    @Test
    void stoppingEndsRunningStreamsCleanly() throws Exception {
        Server server = start(1, 1, 1 << 20);
        HttpResponse<InputStream> endless = client.send(HttpRequest.newBuilder(uri(server, "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"the\", \"max_tokens\": 100000000, \"stream\": true}"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(endless.body(), StandardCharsets.UTF_8))) {
            assertTrue(in.readLine().startsWith("data: "), "the generation is running");
            server.close();
            List<String> rest = in.lines().filter(line -> !line.isEmpty()).toList();
            assertEquals("data: [DONE]", rest.getLast());
            JsonNode last = JSON.readTree(rest.get(rest.size() - 2).substring("data: ".length()));
            assertEquals("cancelled", last.get("choices").get(0).get("finish_reason").asText());
            assertTrue(last.get("usage").get("completion_tokens").asInt() < 100000000);
        }
    }

    /** Polls /health until its field reads value. */
    private static void waitFor(Server server, String field, int value) throws Exception {
        for (int tries = 0; tries < 6000; tries++) {
            if (JSON.readTree(get(server, "/health").body()).get(field).asInt() == value) {
                return;
            }
            Thread.sleep(10);
        }
        fail("/health never said " + field + " " + value);
    }
}
