package dev.emerald.cli;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingType;
import dev.emerald.data.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

import static dev.emerald.cli.Cli.assertBadInput;
import static dev.emerald.cli.Cli.assertOk;
import static dev.emerald.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code emerald tokenizer train|encode|decode}, end to end through the command line. */
class TokenizerCommandTest {
    private static final String TEXT = ("The quick brown fox jumps over the lazy dog's back, twice; naïve café, 日本語 👍🏽.\n"
            + "Q: what is 12 + 30?\nA: 42<|end_of_answer|>\n\n").repeat(40);

    @TempDir
    Path tmp;

    private static int[] ids(String lines) {
        return lines.lines().mapToInt(Integer::parseInt).toArray();
    }

    @Test
    void trainWritesTheSameFileTwiceAndNeverOverwrites() throws IOException {
        Path corpus = Files.writeString(tmp.resolve("corpus.txt"), TEXT);
        Path a = tmp.resolve("a.json"), b = tmp.resolve("b.json");
        String out = assertOk(run("tokenizer", "train", corpus.toString(), "--vocab-size", "300", "--special", "<|end_of_answer|>",
                "--out", a.toString()));
        assertTrue(out.contains("300 tokens (2 special)"), out);
        assertOk(run("tokenizer", "train", corpus.toString(), "--vocab-size", "300", "--special", "<|end_of_answer|>", "--out", b.toString()));
        byte[] first = Files.readAllBytes(a);
        assertArrayEquals(first, Files.readAllBytes(b), "the same corpus gives the same file");
        assertBadInput(run("tokenizer", "train", corpus.toString(), "--out", a.toString()), a.toString(), "already exists");
        assertArrayEquals(first, Files.readAllBytes(a));

        Tokenizer trained = Tokenizer.load(a);
        assertEquals(299, trained.specialTokens().get("<|end_of_answer|>"), "<|endoftext|> is 298, then the user's");
        String ordinary = assertOk(run("tokenizer", "encode", "--tokenizer", a.toString(), "--input", corpus.toString()));
        String special = assertOk(run("tokenizer", "encode", "--tokenizer", a.toString(), "--input", corpus.toString(), "--allow-special"));
        assertFalse(Arrays.stream(ids(ordinary)).anyMatch(id -> id == 299), "the end-of-answer text is ordinary text by default");
        assertEquals(40, Arrays.stream(ids(special)).filter(id -> id == 299).count());
    }

    @Test
    void gpt2EncodeGivesR50kIdsAndDecodeGivesTheTextBack() throws IOException {
        String text = TEXT + "<|endoftext|>  tabs\tand\r\nCRLF";
        Path input = Files.writeString(tmp.resolve("in.txt"), text);
        String printed = assertOk(run("tokenizer", "encode", "--tokenizer", "gpt2", "--input", input.toString()));
        int[] reference = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE).encodeOrdinary(text).toArray();
        assertArrayEquals(reference, ids(printed));
        assertTrue(Arrays.stream(ids(assertOk(run("tokenizer", "encode", "--tokenizer", "gpt2", "--input", input.toString(),
                "--allow-special")))).anyMatch(id -> id == 50256));

        Path idsFile = Files.writeString(tmp.resolve("ids.txt"), printed);
        assertEquals(text, assertOk(run("tokenizer", "decode", "--tokenizer", "gpt2", "--input", idsFile.toString())));
    }

    @Test
    void badIdsAndUnknownTokenizersAreOneClearLine() throws IOException {
        Path words = Files.writeString(tmp.resolve("words.txt"), "464\n2068 abc\n");
        assertBadInput(run("tokenizer", "decode", "--tokenizer", "gpt2", "--input", words.toString()), "line 2", "'abc' is not a token id");
        Path big = Files.writeString(tmp.resolve("big.txt"), "464\n\n50257\n");
        assertBadInput(run("tokenizer", "decode", "--tokenizer", "gpt2", "--input", big.toString()), "line 3", "50257", "50257 tokens");
        Path input = Files.writeString(tmp.resolve("in.txt"), "hello");
        assertBadInput(run("tokenizer", "encode", "--tokenizer", "nosuch.json", "--input", input.toString()), "'nosuch.json'");
        assertBadInput(run("tokenizer", "encode", "--tokenizer", "char", "--input", input.toString()), "char tokenizer");
        assertBadInput(run("tokenizer", "train", input.toString(), "--vocab-size", "100", "--out", tmp.resolve("t.json").toString()),
                "at least 257");
        assertFalse(Files.exists(tmp.resolve("t.json")));
        String all = Arrays.stream(new String[] {"464", "2068"}).collect(Collectors.joining("\n"));
        assertEquals("The quick", assertOk(run("tokenizer", "decode", "--tokenizer", "gpt2", "--input",
                Files.writeString(tmp.resolve("ok.txt"), all).toString())));
    }
}
