package dev.emerald.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CorpusCommandTest {
    private static String stdout(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listShowsEachCorpusAndWhetherItIsCached(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bible.txt"), "In the beginning");
        String out = stdout(() -> assertEquals(0, new CommandLine(new CorpusCommand()).execute("list", "--dir", dir.toString())));
        String[] lines = out.strip().split("\n");
        assertEquals(2, lines.length, out);
        assertTrue(lines[0].startsWith("tom-sawyer") && lines[0].contains("not downloaded"), out);
        assertTrue(lines[1].startsWith("bible") && lines[1].contains("cached at " + dir.resolve("bible.txt")), out);
    }

    @Test
    void fetchOfACachedCorpusPrintsItsPath(@TempDir Path dir) throws Exception {
        Path cached = Files.writeString(dir.resolve("tom-sawyer.txt"), "Tom!");
        String out = stdout(() -> assertEquals(0, new CommandLine(new CorpusCommand()).execute("fetch", "tom-sawyer", "--dir", dir.toString())));
        assertEquals(cached.toString(), out.strip());
    }

    @Test
    void noSubcommandIsAUsageError() {
        CommandLine cl = new CommandLine(new CorpusCommand());
        cl.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        assertNotEquals(0, cl.execute());
    }
}
