package dev.emerald.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the CLI in-process, as a user's shell would, and checks its answers to bad input. */
final class Cli {
    private Cli() {
    }

    record Result(int exit, String out, String err) {
    }

    /** Runs the CLI, capturing what it prints. */
    static Result run(String... args) {
        return runWithInput("", args);
    }

    /** Runs the CLI with stdin piped from input, capturing what it prints. */
    static Result runWithInput(String input, String... args) {
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.run(args);
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Asserts a clean failure: exit 1, one "emerald: " line naming every phrase, and no stack trace anywhere. */
    static void assertBadInput(Result r, String... phrases) {
        assertEquals(1, r.exit(), r::toString);
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r::toString);
        assertTrue(lines.get(0).startsWith("emerald: "), r::toString);
        for (String phrase : phrases) {
            assertTrue(lines.get(0).contains(phrase), () -> "no '" + phrase + "' in " + r);
        }
        String all = r.out() + r.err();
        assertFalse(all.contains("Exception") || all.contains("\tat "), r::toString);
    }

    static String[] concat(String[] first, String... more) {
        return Stream.concat(Stream.of(first), Stream.of(more)).toArray(String[]::new);
    }

    /** Asserts success, returning what was printed on stdout. */
    static String assertOk(Result r) {
        assertEquals(0, r.exit(), r::toString);
        return r.out();
    }
}
