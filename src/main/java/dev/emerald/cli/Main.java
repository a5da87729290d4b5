package dev.emerald.cli;

import dev.emerald.util.UserException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code emerald} command. Exit codes: 0 success, 1 a problem with the input (one line on stderr
 * says what and what to do), 2 a usage error, 70 an internal error, 130 stopped by Ctrl-C.
 */
@Command(name = "emerald", mixinStandardHelpOptions = true, version = "Emerald 0.1.0",
        description = "A GPT engine for the JVM: train a GPT on your text, then generate from it.",
        subcommands = {PrepareCommand.class, TrainCommand.class, FinetuneCommand.class, GenerateCommand.class, ChatCommand.class,
                ServeCommand.class, EvalCommand.class, QuantizeCommand.class, BenchCommand.class, AutotuneCommand.class,
                InfoCommand.class, TokenizerCommand.class, PlotCommand.class, CorpusCommand.class, DevicesCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    public static final int EXIT_INPUT = 1;
    public static final int EXIT_INTERNAL = 70;
    public static final int EXIT_INTERRUPTED = 130;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI in-process and returns its exit code (what tests call). */
    public static int run(String... args) {
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (verbose) {
                e.printStackTrace();
            }
            if (e instanceof Interrupted) {
                return EXIT_INTERRUPTED;
            }
            if (e instanceof UserException) {
                commandLine.getErr().println("emerald: " + e.getMessage());
                return EXIT_INPUT;
            }
            commandLine.getErr().println("emerald: internal error: " + e + (verbose ? "" : " (run with --verbose for the stack trace, and please report it)"));
            return EXIT_INTERNAL;
        });
        return cli.execute(args);
    }
}
