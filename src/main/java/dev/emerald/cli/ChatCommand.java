package dev.emerald.cli;

import dev.emerald.api.Conversation;
import dev.emerald.api.EmeraldModel;
import dev.emerald.backend.DeviceChoice;
import dev.emerald.generate.Completion;
import dev.emerald.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code emerald chat}: a conversation with a model, a line in and a reply streamed out as it is generated. On a
 * terminal it shows a prompt and Ctrl-C cancels the reply being written; in a pipe it prints only the replies, one
 * for each line read, and the / commands' answers go to stderr.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Chat with a model: each line you type is answered, the conversation kept as context; /help lists the commands.")
final class ChatCommand implements Runnable {
    @Mixin
    Common common;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "checkpoint directory (a training run's --out)")
    Path model;

    @Override
    public void run() {
        var settings = sampling.settings();
        Console console = System.console();
        boolean terminal = console != null && console.isTerminal();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        PrintStream info = terminal ? out : err;
        try (EmeraldModel m = EmeraldModel.load(model, DeviceChoice.parse(common.device))) {
            Conversation conversation = new Conversation(m);
            ChatCommands commands = new ChatCommands(conversation, settings, info);
            AtomicBoolean replying = new AtomicBoolean(), cancel = new AtomicBoolean();
            if (terminal) {
                out.printf("Chatting with %s (it sees the last %d tokens). /help lists the commands; /quit or Ctrl-D ends,"
                        + " Ctrl-C stops a reply.%n", m.name(), m.blockSize());
                // Ctrl-C stops the reply being written; at the prompt it ends the chat
                Signal.handle(new Signal("INT"), s -> {
                    if (replying.get()) {
                        cancel.set(true);
                    } else {
                        out.println();
                        Runtime.getRuntime().exit(Main.EXIT_INTERRUPTED);
                    }
                });
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = prompt(in, out, terminal)) != null; ) {
                if (line.startsWith("/")) {
                    if (!commands.run(line)) {
                        return;
                    }
                    continue;
                }
                cancel.set(false);
                replying.set(true);
                try {
                    Completion reply = conversation.reply(line, commands.settings(), out::print, cancel::get);
                    out.println(reply.finishReason() == Completion.FinishReason.CANCELLED && terminal ? " [stopped]" : "");
                } catch (UserException e) {
                    out.println(); // in a pipe, still one line out for each line in
                    err.println("emerald: " + e.getMessage());
                } finally {
                    replying.set(false);
                }
            }
            if (terminal) {
                out.println();
            }
        }
    }

    /** The next line of input (null at its end), after the prompt on a terminal. */
    private static String prompt(BufferedReader in, PrintStream out, boolean terminal) {
        if (terminal) {
            out.print("> ");
        }
        try {
            return in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the input", e);
        }
    }
}
