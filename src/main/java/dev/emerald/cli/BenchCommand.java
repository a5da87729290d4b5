package dev.emerald.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code emerald bench train|generate|sgemm|int8}: how fast training steps, generation, GEMMs and int8 decoding run here. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the speed of training steps, of generation, of the GEMMs they are made of, or of decoding with int8 weights.",
        subcommands = {BenchTrainCommand.class, BenchGenerateCommand.class, BenchSgemmCommand.class, BenchInt8Command.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: use 'bench train', 'bench generate', 'bench sgemm' or 'bench int8'");
    }
}
