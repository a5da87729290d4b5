package dev.emerald.cli;

import dev.emerald.data.Corpora;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code emerald corpus fetch NAME} and {@code emerald corpus list}: the named public-domain training texts. */
@Command(name = "corpus", mixinStandardHelpOptions = true,
        description = "Download or list the named public-domain training texts.",
        subcommands = {CorpusCommand.Fetch.class, CorpusCommand.ListCorpora.class})
public final class CorpusCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: use 'corpus fetch NAME' or 'corpus list'");
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Download a corpus into the cache directory (instant if it is already there) and print its path.")
    static final class Fetch implements Runnable {
        @Parameters(paramLabel = "NAME", description = "tom-sawyer or bible")
        String name;

        @Option(names = "--dir", paramLabel = "DIR", description = "cache directory (default: ${DEFAULT-VALUE})")
        Path dir = Corpora.DEFAULT_DIR;

        @Override
        public void run() {
            System.out.println(Corpora.fetch(name, dir));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the known corpora and whether each is cached.")
    static final class ListCorpora implements Runnable {
        @Option(names = "--dir", paramLabel = "DIR", description = "cache directory (default: ${DEFAULT-VALUE})")
        Path dir = Corpora.DEFAULT_DIR;

        @Override
        public void run() {
            for (Corpora.Corpus c : Corpora.KNOWN) {
                Path file = Corpora.cached(c, dir);
                String state = Files.isRegularFile(file) ? "cached at " + file : "not downloaded";
                System.out.printf("%-12s %s [%s]%n", c.name(), c.description(), state);
            }
        }
    }
}
