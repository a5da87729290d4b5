package dev.emerald.data;

import dev.emerald.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CorporaTest {
    @TempDir
    Path dir;

    @Test
    void anExistingFileResolvesToItself() throws Exception {
        Path text = Files.writeString(dir.resolve("my text.txt"), "hello");
        assertEquals(text, Corpora.resolve(text.toString(), dir.resolve("cache")));
    }

    @Test
    void aCachedCorpusResolvesWithoutFetching() throws Exception {
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Path cached = Files.writeString(cache.resolve("tom-sawyer.txt"), "already here");
        assertEquals(cached, Corpora.resolve("tom-sawyer", cache));
    }

    @Test
    void unknownNameListsTheKnownCorpora() {
        UserException e = assertThrows(UserException.class, () -> Corpora.resolve("shakespeare", dir));
        assertTrue(e.getMessage().contains("'shakespeare'") && e.getMessage().contains("tom-sawyer")
                && e.getMessage().contains("bible"), e.getMessage());
        assertTrue(assertThrows(UserException.class, () -> Corpora.fetch("nope", dir)).getMessage().contains("unknown corpus 'nope'"));
    }

    @Test
    void verseReferencesAreStrippedAndChaptersSeparated() {
        String raw = """
                Ge1:1 In the beginning God created the heaven and the earth.
                Ge1:2 And the earth was without form.
                Ge2:1 Thus the heavens were finished.
                1Sm1:1 Now there was a certain man of Ramathaimzophim.
                SSol1:10 Thy cheeks are comely.
                Rev22:21 The grace of our Lord Jesus Christ be with you all. Amen.
                """;
        String expected = """
                In the beginning God created the heaven and the earth.
                And the earth was without form.

                Thus the heavens were finished.

                Now there was a certain man of Ramathaimzophim.

                Thy cheeks are comely.

                The grace of our Lord Jesus Christ be with you all. Amen.
                """;
        assertEquals(expected, Corpora.stripVerseReferences(raw));
    }
}
