package dev.emerald.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.emerald.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CharTokenizerTest {
    private static final String TEXT = "hello, wörld! 😀 𝄞 music\nZebra 😀";

    @Test
    void vocabularyIsTheSortedDistinctCodePoints() {
        CharTokenizer tok = CharTokenizer.fit(TEXT);
        TreeSet<Integer> expected = new TreeSet<>();
        for (int i = 0; i < TEXT.length(); ) {
            int cp = TEXT.codePointAt(i);
            expected.add(cp);
            i += Character.charCount(cp);
        }
        assertEquals(expected.size(), tok.vocabSize());
        int id = 0;
        for (int cp : expected) {
            assertEquals(Character.toString(cp), tok.decode(id++));
        }
    }

    @Test
    void roundTripKeepsNonBmpCharactersAsSingleTokens() {
        CharTokenizer tok = CharTokenizer.fit(TEXT);
        int[] ids = tok.encode("😀a𝄞");
        assertEquals(3, ids.length, "an emoji is one token, not two UTF-16 halves");
        assertEquals(TEXT, tok.decode(tok.encode(TEXT), 0, TEXT.codePointCount(0, TEXT.length())));
        int[] all = tok.encode(TEXT);
        assertEquals("wörld", tok.decode(all, 7, 12));
    }

    @Test
    void ofTheCollectedCodePointsIsTheFittedVocabulary() {
        String text = "Zoë 😀 a\u0003b 𝄞 \uFFFD end\n";
        assertEquals(CharTokenizer.fit(text).toJson(), CharTokenizer.of(text.codePoints().distinct().sorted().toArray()).toJson());
        assertThrows(IllegalArgumentException.class, () -> CharTokenizer.of(new int[] {'b', 'a'}));
        assertThrows(IllegalArgumentException.class, () -> CharTokenizer.of(new int[] {'a', 'a'}));
        assertThrows(UserException.class, () -> CharTokenizer.of(new int[0]));
    }

    @Test
    void unknownCharacterIsNamedWithItsPosition() {
        CharTokenizer tok = CharTokenizer.fit("abc");
        UserException e = assertThrows(UserException.class, () -> tok.encode("abЖc"));
        assertTrue(e.getMessage().contains("'Ж' (U+0416) at position 3"), e.getMessage());
        assertTrue(e.getMessage().contains("vocabulary of 3 characters"), e.getMessage());
        UserException emoji = assertThrows(UserException.class, () -> tok.encode("😀😀z"));
        assertTrue(emoji.getMessage().contains("U+1F600) at position 1"), emoji.getMessage());
        // positions count characters, not UTF-16 units: the emoji before Ж is one position
        UserException after = assertThrows(UserException.class, () -> CharTokenizer.fit("a😀").encode("😀Ж"));
        assertTrue(after.getMessage().contains("(U+0416) at position 2"), after.getMessage());
    }

    @Test
    void jsonListsTheVocabularyInIdOrder() {
        CharTokenizer tok = CharTokenizer.fit("ba😀a");
        JsonNode json = tok.toJson();
        assertEquals("char", json.get("type").asText());
        List<String> chars = new ArrayList<>();
        json.get("chars").forEach(n -> chars.add(n.asText()));
        assertEquals(List.of("a", "b", "😀"), chars);
    }

    @Test
    void saveAndLoadRoundTrip(@TempDir Path dir) {
        CharTokenizer tok = CharTokenizer.fit(TEXT);
        Path file = dir.resolve(Tokenizer.FILE_NAME);
        tok.save(file);
        Tokenizer loaded = Tokenizer.load(file);
        assertEquals("char", loaded.kind());
        assertEquals(tok.vocabSize(), loaded.vocabSize());
        assertArrayEquals(tok.encode(TEXT), loaded.encode(TEXT));
        assertThrows(UserException.class, () -> tok.save(file), "an existing file is not overwritten");
    }

    @Test
    void loadReportsMissingAndCorruptFiles(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.json");
        assertTrue(assertThrows(UserException.class, () -> Tokenizer.load(missing)).getMessage().contains("does not exist"));
        Path garbage = Files.writeString(dir.resolve("garbage.json"), "{\"type\": \"char\", \"chars\": [");
        assertTrue(assertThrows(UserException.class, () -> Tokenizer.load(garbage)).getMessage().contains(garbage.toString()));
        Path unsorted = Files.writeString(dir.resolve("unsorted.json"), "{\"type\": \"char\", \"chars\": [\"b\", \"a\"]}");
        assertTrue(assertThrows(UserException.class, () -> Tokenizer.load(unsorted)).getMessage().contains("sorted"));
        Path twoChars = Files.writeString(dir.resolve("two.json"), "{\"type\": \"char\", \"chars\": [\"ab\"]}");
        assertTrue(assertThrows(UserException.class, () -> Tokenizer.load(twoChars)).getMessage().contains("single character"));
        JsonNode bpe = new ObjectMapper().readTree("{\"type\": \"bpe\"}");
        assertTrue(assertThrows(UserException.class, () -> Tokenizer.fromJson(bpe)).getMessage().contains("'bpe'"));
    }
}
