package dev.emerald.cli;

import picocli.CommandLine.Option;

/** --verbose for commands that run nowhere in particular (no --device); {@link Main} acts on it. */
final class VerboseOption {
    @Option(names = "--verbose", description = "print stack traces of errors")
    boolean verbose;
}
