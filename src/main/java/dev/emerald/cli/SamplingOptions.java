package dev.emerald.cli;

import dev.emerald.generate.SamplingSettings;
import dev.emerald.util.UserException;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** The sampling flags of generate, chat and serve, defined once and shared as a picocli mixin. */
final class SamplingOptions {
    private static final SamplingSettings D = SamplingSettings.DEFAULTS;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "tokens to generate at most (default: ${DEFAULT-VALUE})")
    int maxNewTokens = D.maxNewTokens();

    @Option(names = "--temperature", paramLabel = "T", description = "0 = greedy; higher is more random (default: ${DEFAULT-VALUE})")
    float temperature = D.temperature();

    @Option(names = "--top-k", paramLabel = "K", description = "sample among the K most likely tokens; 0 = all (default: ${DEFAULT-VALUE})")
    int topK = D.topK();

    @Option(names = "--top-p", paramLabel = "P", description = "sample among the most likely tokens whose probabilities add up to P;"
            + " 1 = all (default: ${DEFAULT-VALUE})")
    float topP = D.topP();

    @Option(names = "--repetition-penalty", paramLabel = "R", description = "make tokens already in the context less likely"
            + " (above 1) or more (below 1); 1 = off (default: ${DEFAULT-VALUE})")
    float repetitionPenalty = D.repetitionPenalty();

    @Option(names = "--seed", paramLabel = "N", description = "sampling seed (default: ${DEFAULT-VALUE})")
    long seed = D.seed();

    @Option(names = "--stop", paramLabel = "TEXT", description = "end the text before TEXT (repeatable; \\n, \\t and \\\\ stand for"
            + " a newline, a tab and a backslash)")
    List<String> stop = new ArrayList<>();

    @Option(names = "--no-stop-at-end-of-text", description = "go on past the end-of-text token (by default it ends the text)")
    boolean pastEndOfText;

    /** The settings the flags give; a value out of range is a {@link UserException} naming its flag. */
    SamplingSettings settings() {
        SamplingSettings s = D;
        s = named("--max-new-tokens", s, x -> x.withMaxNewTokens(maxNewTokens));
        s = named("--temperature", s, x -> x.withTemperature(temperature));
        s = named("--top-k", s, x -> x.withTopK(topK));
        s = named("--top-p", s, x -> x.withTopP(topP));
        s = named("--repetition-penalty", s, x -> x.withRepetitionPenalty(repetitionPenalty));
        s = named("--stop", s, x -> x.withStop(stop.stream().map(SamplingOptions::unescape).toList()));
        return s.withSeed(seed).withStopAtEndOfText(!pastEndOfText);
    }

    /** change applied to s, its complaint about a value prefixed with where the value came from. */
    static SamplingSettings named(String name, SamplingSettings s, UnaryOperator<SamplingSettings> change) {
        try {
            return change.apply(s);
        } catch (UserException e) {
            throw new UserException(name + ": " + e.getMessage(), e);
        }
    }

    /** \n, \t and \\ read as a newline, a tab and a backslash, so a stop string can hold them when typed. */
    static String unescape(String text) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && "nt\\".indexOf(text.charAt(i + 1)) >= 0) {
                char e = text.charAt(++i);
                sb.append(e == 'n' ? '\n' : e == 't' ? '\t' : '\\');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The reverse of {@link #unescape}, to show a stop string on one line. */
    static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t");
    }
}
