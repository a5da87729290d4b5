package dev.emerald.cli;

import dev.emerald.api.Conversation;
import dev.emerald.generate.SamplingSettings;
import dev.emerald.util.UserException;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/** The {@code /} commands of {@code emerald chat}: they change the sampling settings, reset the conversation, or end it. */
final class ChatCommands {
    /** A setting a command changes from the text after it, and a value to show as an example. */
    private record Setting(String example, BiFunction<SamplingSettings, String, SamplingSettings> apply) {
    }

    private static final Map<String, Setting> SETTINGS = Map.of(
            "temperature", new Setting("0.8", (s, v) -> s.withTemperature(Float.parseFloat(v))),
            "top-k", new Setting("40", (s, v) -> s.withTopK(Integer.parseInt(v))),
            "top-p", new Setting("0.9", (s, v) -> s.withTopP(Float.parseFloat(v))),
            "repetition-penalty", new Setting("1.2", (s, v) -> s.withRepetitionPenalty(Float.parseFloat(v))),
            "max-tokens", new Setting("200", (s, v) -> s.withMaxNewTokens(Integer.parseInt(v))),
            "seed", new Setting("7", (s, v) -> s.withSeed(Long.parseLong(v))));

    private static final String HELP = """
            /temperature T         0 = greedy; higher is more random
            /top-k K               sample among the K most likely tokens; 0 = all
            /top-p P               sample among the most likely tokens adding up to P; 1 = all
            /repetition-penalty R  above 1 makes tokens already in the context less likely; 1 = off
            /max-tokens N          tokens per reply at most
            /seed N                sampling seed (each reply starts from it)
            /stop TEXT             end replies before TEXT (\\n is a newline); /stop alone clears it
            /settings              show the settings
            /reset                 forget the conversation
            /help                  this list
            /quit                  end (so does end of input, Ctrl-D)""";

    private final Conversation conversation;
    private final PrintStream info;
    private SamplingSettings settings;

    ChatCommands(Conversation conversation, SamplingSettings settings, PrintStream info) {
        this.conversation = conversation;
        this.settings = settings;
        this.info = info;
    }

    SamplingSettings settings() {
        return settings;
    }

    /** Runs a line that starts with /; false when it ends the chat. A bad command or value says so in one line. */
    boolean run(String line) {
        String[] parts = line.substring(1).split(" ", 2);
        String name = parts[0];
        String value = parts.length > 1 ? parts[1].strip() : "";
        switch (name) {
            case "quit", "exit" -> {
                return false;
            }
            case "help" -> info.println(HELP);
            case "settings" -> info.println(describe(settings));
            case "reset" -> {
                conversation.reset();
                info.println("(conversation forgotten)");
            }
            case "stop" -> {
                settings = settings.withStop(value.isEmpty() ? List.of() : List.of(SamplingOptions.unescape(value)));
                info.println(describe(settings));
            }
            default -> change(name, value);
        }
        return true;
    }

    private void change(String name, String value) {
        Setting setting = SETTINGS.get(name);
        if (setting == null) {
            info.println("unknown command /" + name + ": /help lists the commands");
        } else if (value.isEmpty()) {
            info.println("/" + name + " needs a value, e.g. /" + name + " " + setting.example());
        } else {
            try {
                settings = SamplingOptions.named("/" + name, settings, s -> setting.apply().apply(s, value));
                info.println(describe(settings));
            } catch (NumberFormatException e) {
                info.println("/" + name + ": '" + value + "' is not a valid number here; e.g. /" + name + " " + setting.example());
            } catch (UserException e) {
                info.println(e.getMessage());
            }
        }
    }

    /** The settings on one line, named as the commands that change them. */
    static String describe(SamplingSettings s) {
        return "temperature " + s.temperature() + " | top-k " + s.topK() + " | top-p " + s.topP() + " | repetition-penalty "
                + s.repetitionPenalty() + " | max-tokens " + s.maxNewTokens() + " | seed " + s.seed() + " | stop "
                + (s.stop().isEmpty() ? "(none)" : s.stop().stream().map(t -> "\"" + SamplingOptions.escape(t) + "\"")
                .collect(Collectors.joining(" ")));
    }
}
