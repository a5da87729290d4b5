package dev.emerald.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code emerald bench train|generate|sgemm}: how fast training steps, generation and GEMMs run here. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the speed of training steps, of generation, or of the GEMMs they are made of.",
        subcommands = {BenchTrainCommand.class, BenchGenerateCommand.class, BenchSgemmCommand.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: use 'bench train', 'bench generate' or 'bench sgemm'");
    }
}
