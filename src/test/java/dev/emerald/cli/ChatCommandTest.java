package dev.emerald.cli;

import dev.emerald.api.ReferenceGenerator;
import dev.emerald.api.TinyModel;
import dev.emerald.generate.SamplingSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.emerald.cli.Cli.assertBadInput;
import static dev.emerald.cli.Cli.assertOk;
import static dev.emerald.cli.Cli.runWithInput;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code emerald chat} in a pipe: one reply per line, each equal to what the generator gives for the conversation
 * so far (each message followed by a newline, cut to the model's last 16 characters), with the settings the
 * / commands set.
 */
class ChatCommandTest {
    @TempDir
    static Path tmp;
    static Path model;
    static ReferenceGenerator generator;

    @BeforeAll
    static void train() {
        model = TinyModel.checkpoint(tmp.resolve("tiny"));
        generator = new ReferenceGenerator(model);
    }

    @AfterAll
    static void free() {
        generator.close();
    }

    /** The reference chat: the context is the last 16 characters (code points) of everything said so far. */
    private static final class Reference {
        private String context = "";
        private final StringBuilder out = new StringBuilder();

        void say(String line, SamplingSettings s) {
            String prompt = last16(context + line + "\n");
            String reply = generator.text(prompt, s);
            out.append(reply).append('\n');
            context = prompt + reply + "\n";
        }

        void reset() {
            context = "";
        }

        private static String last16(String text) {
            int n = text.codePointCount(0, text.length());
            return n <= 16 ? text : text.substring(text.offsetByCodePoints(0, n - 16));
        }
    }

    @Test
    void repliesEqualTheGeneratorsAndCommandsChangeTheSettings() {
        String input = String.join("\n", List.of(
                "the cat ",
                "sat on",
                "/temperature 0.9",
                "/seed 5",
                "/top-k 4",
                "tom said",
                "/max-tokens 6",
                "/stop t",
                "huck ran to",
                "/stop",
                "/repetition-penalty 1.3",
                "/top-p 0.8",
                "/reset",
                "a dog",
                "/bogus",
                "/top-k many",
                "/temperature -1",
                "/seed",
                "/settings",
                "",
                "/quit",
                "never read"));
        Cli.Result r = runWithInput(input, "chat", "--model", model.toString(), "--device", "cpu", "--temperature", "0",
                "--max-new-tokens", "20");

        Reference ref = new Reference();
        SamplingSettings s = SamplingSettings.DEFAULTS.withTemperature(0).withMaxNewTokens(20);
        ref.say("the cat ", s);
        ref.say("sat on", s);
        s = s.withTemperature(0.9f).withSeed(5).withTopK(4);
        ref.say("tom said", s);
        s = s.withMaxNewTokens(6).withStop(List.of("t"));
        ref.say("huck ran to", s);
        s = s.withStop(List.of()).withRepetitionPenalty(1.3f).withTopP(0.8f);
        ref.reset();
        ref.say("a dog", s);
        ref.say("", s);
        assertEquals(ref.out.toString(), assertOk(r));

        List<String> info = r.err().lines().toList();
        assertEquals(14, info.size(), r::toString);
        assertEquals("temperature 0.9 | top-k 0 | top-p 1.0 | repetition-penalty 1.0 | max-tokens 20 | seed 1 | stop (none)", info.get(0));
        assertEquals("temperature 0.9 | top-k 4 | top-p 1.0 | repetition-penalty 1.0 | max-tokens 6 | seed 5 | stop \"t\"", info.get(4));
        assertEquals("(conversation forgotten)", info.get(8));
        assertEquals("unknown command /bogus: /help lists the commands", info.get(9));
        assertEquals("/top-k: 'many' is not a valid number here; e.g. /top-k 40", info.get(10));
        assertEquals("/temperature: temperature must be 0 (greedy) or positive, got -1.0", info.get(11));
        assertEquals("/seed needs a value, e.g. /seed 7", info.get(12));
        assertEquals("temperature 0.9 | top-k 4 | top-p 0.8 | repetition-penalty 1.3 | max-tokens 6 | seed 5 | stop (none)", info.get(13));
    }

    @Test
    void badFlagsAndPromptsSayWhatIsWrong() {
        assertBadInput(runWithInput("hi\n", "chat", "--model", model.toString(), "--top-p", "1.5"), "--top-p", "(0, 1]");
        assertBadInput(runWithInput("hi\n", "chat", "--model", tmp.resolve("none").toString()), "no checkpoint");
        // a character the vocabulary lacks: one line on stderr, an empty reply keeps the lines in step, the chat goes on
        Cli.Result r = runWithInput("€uro\nthe\n", "chat", "--model", model.toString(), "--device", "cpu", "--temperature", "0",
                "--max-new-tokens", "5");
        String second = generator.text("the\n", SamplingSettings.DEFAULTS.withTemperature(0).withMaxNewTokens(5));
        assertEquals("\n" + second + "\n", assertOk(r));
        assertEquals(1, r.err().lines().count(), r::toString);
    }
}
