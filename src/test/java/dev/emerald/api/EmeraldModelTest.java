package dev.emerald.api;

import dev.emerald.backend.DeviceChoice;
import dev.emerald.generate.Completion;
import dev.emerald.generate.SamplingSettings;
import dev.emerald.train.Checkpoint;
import dev.emerald.util.UserException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedding API against the generation code used directly: same texts, streamed or not, loaded from a directory or the classpath. */
class EmeraldModelTest {
    private static final SamplingSettings SAMPLED = SamplingSettings.DEFAULTS.withTemperature(0.8f).withSeed(3).withMaxNewTokens(40);
    private static final SamplingSettings LONG = SamplingSettings.DEFAULTS.withMaxNewTokens(1_000_000);

    @TempDir
    static Path tmp;
    static Path dir;
    static ReferenceGenerator reference;

    @BeforeAll
    static void train() {
        dir = TinyModel.checkpoint(tmp.resolve("tiny"));
        reference = new ReferenceGenerator(dir);
    }

    @AfterAll
    static void free() {
        reference.close();
    }

    private static String expected(String prompt, SamplingSettings s) {
        return reference.text(prompt, s);
    }

    @Test
    void generatesWhatTheGeneratorDoes() {
        try (EmeraldModel model = EmeraldModel.load(dir, DeviceChoice.CPU)) {
            assertEquals("tiny", model.name());
            assertEquals(16, model.blockSize());
            for (SamplingSettings s : List.of(SAMPLED, SAMPLED.withTemperature(0), SAMPLED.withSeed(4).withTopK(3))) {
                String text = model.generate("the cat ", s);
                assertEquals(expected("the cat ", s), text);
                assertEquals(40, text.codePointCount(0, text.length()), text);
            }
        }
    }

    @Test
    void streamsAndCallsBackTheSameText() {
        try (EmeraldModel model = EmeraldModel.load(dir, DeviceChoice.CPU)) {
            List<String> pieces = new ArrayList<>();
            Completion c = model.generate("tom said ", SAMPLED, pieces::add, () -> false);
            assertEquals(expected("tom said ", SAMPLED), c.text());
            assertEquals(c.text(), String.join("", pieces));
            assertTrue(pieces.size() > 1, pieces::toString);
            assertEquals(Completion.FinishReason.LENGTH, c.finishReason());
            assertEquals("tom said ".length(), c.promptTokens());
            try (Stream<String> stream = model.stream("tom said ", SAMPLED)) {
                assertEquals(pieces, stream.toList());
            }
            assertEquals(c, model.start("tom said ", SAMPLED, piece -> { }).join());
        }
    }

    @Test
    void loadsFromTheClasspath() throws Exception {
        Path root = tmp.resolve("classpath");
        Path resource = Files.createDirectories(root.resolve("models/tiny"));
        for (String file : List.of(Checkpoint.CONFIG, Checkpoint.MODEL, "tokenizer.json")) {
            Files.copy(dir.resolve(file), resource.resolve(file));
        }
        ClassLoader old = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {root.toUri().toURL()}, old)) {
            Thread.currentThread().setContextClassLoader(loader);
            try (EmeraldModel model = EmeraldModel.loadResource("models/tiny", DeviceChoice.CPU)) {
                assertEquals("tiny", model.name());
                assertEquals(expected("huck ", SAMPLED), model.generate("huck ", SAMPLED));
            }
            UserException missing = assertThrows(UserException.class, () -> EmeraldModel.loadResource("models/none"));
            assertTrue(missing.getMessage().contains("models/none/config.json"), missing::getMessage);
        } finally {
            Thread.currentThread().setContextClassLoader(old);
        }
    }

    @Test
    void cancelledGenerationEndsEarlyWithAPrefixOfTheWholeText() throws Exception {
        try (EmeraldModel model = EmeraldModel.load(dir, DeviceChoice.CPU)) {
            CountDownLatch first = new CountDownLatch(1);
            Generation g = model.start("the dog ", LONG.withMaxNewTokens(3000), piece -> first.countDown());
            first.await();
            g.cancel();
            Completion c = g.join();
            assertEquals(Completion.FinishReason.CANCELLED, c.finishReason());
            assertTrue(c.completionTokens() < 3000, c::toString);
            assertTrue(expected("the dog ", LONG.withMaxNewTokens(c.completionTokens())).startsWith(c.text()), c::toString);
        }
    }

    @Test
    void closingTheStreamOrTheModelCancelsGenerations() throws Exception {
        EmeraldModel model = EmeraldModel.load(dir, DeviceChoice.CPU);
        CountDownLatch first = new CountDownLatch(1);
        Generation running = model.start("a mat ", LONG, piece -> first.countDown());
        try (Stream<String> stream = model.stream("a mat ", LONG)) {
            assertTrue(stream.findFirst().isPresent());
        }
        first.await();
        // close waits for every generation still running: a million tokens each, unless both were cancelled
        assertTimeoutPreemptively(Duration.ofSeconds(120), model::close);
        assertEquals(Completion.FinishReason.CANCELLED, running.join().finishReason());
        assertThrows(IllegalStateException.class, () -> model.generate("a", SAMPLED));
        model.close();
    }

    @Test
    void threadsSharingTheModelGetWhatEachGetsAlone() throws Exception {
        try (EmeraldModel model = EmeraldModel.load(dir, DeviceChoice.CPU);
             ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                SamplingSettings s = SAMPLED.withSeed(100 + i);
                String prompt = "tom " + "said ".repeat(i % 3);
                results.add(pool.submit(() -> model.generate(prompt, s)));
            }
            for (int i = 0; i < 8; i++) {
                assertEquals(expected("tom " + "said ".repeat(i % 3), SAMPLED.withSeed(100 + i)), results.get(i).get(), "thread " + i);
            }
            assertTrue(results.stream().map(Future::resultNow).collect(Collectors.toSet()).size() > 1, "different seeds, different texts");
        }
    }

    @Test
    void badPromptsSayWhatIsWrong() {
        try (EmeraldModel model = EmeraldModel.load(dir, DeviceChoice.CPU)) {
            assertTrue(assertThrows(UserException.class, () -> model.generate("", SAMPLED)).getMessage().contains("empty"));
            assertTrue(assertThrows(UserException.class, () -> model.generate("€", SAMPLED)).getMessage().contains("prompt"));
        }
    }
}
