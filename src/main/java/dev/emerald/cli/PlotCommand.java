package dev.emerald.cli;

import dev.emerald.train.LossPlot;
import dev.emerald.train.Metrics;
import dev.emerald.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/** {@code emerald plot}: a training run's loss curves as a PNG or SVG file. */
@Command(name = "plot", mixinStandardHelpOptions = true, description = "Plot a training run's train and validation loss.")
final class PlotCommand implements Runnable {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the training run's --out directory")
    Path run;

    @Option(names = "--out", paramLabel = "FILE", description = "a .png or .svg file (default: DIR/loss.png)")
    Path out;

    @Option(names = "--overwrite", description = "replace FILE if it exists")
    boolean overwrite;

    @Override
    public void run() {
        System.setProperty("java.awt.headless", "true");
        Path file = out != null ? out : run.resolve("loss.png");
        if (Files.exists(file) && !overwrite) {
            throw new UserException(file + " already exists: choose another --out, or add --overwrite to replace it");
        }
        List<Metrics> metrics = LossPlot.read(run);
        LossPlot.write(LossPlot.chart(run.getFileName() + ": loss", metrics), file);
        Metrics best = metrics.stream().min(Comparator.comparingDouble(Metrics::valLoss)).orElseThrow();
        Metrics last = metrics.getLast();
        System.out.printf("wrote %s: %d evaluations, last step %d (train %.4f, val %.4f), best val %.4f at step %d%n",
                file, metrics.size(), last.step(), last.trainLoss(), last.valLoss(), best.valLoss(), best.step());
    }
}
