package dev.emerald.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.Backend;
import dev.emerald.model.Gpt;
import dev.emerald.model.GptConfig;
import dev.emerald.model.Int8Host;
import dev.emerald.model.Int8Layout;
import dev.emerald.model.Int8Weights;
import dev.emerald.model.Linear;
import dev.emerald.model.Models;
import dev.emerald.model.Preset;
import dev.emerald.tensor.Tensor;
import dev.emerald.train.Checkpoint;
import dev.emerald.util.Rng;
import dev.emerald.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code emerald bench int8}: decoding with float against int8 weight matrices, in one run, interleaved
 * round by round: each kind of linear layer's matmul for one token (M = 1) in GFLOP/s, and the forward of
 * one token (T = 1, no cache) and of a whole block (a prompt) in tokens/s, each with its int8/float ratio. Both are the same model: a
 * float GPT (a preset's at its initial weights, or a checkpoint's) and its quantized copy.
 */
@Command(name = "int8", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time decoding with float against int8 weights: each linear layer's matmul for one token (GFLOP/s), the"
                + " forward of one token and of a block (tokens/s), interleaved; medians of --rounds and the int8/float ratio.")
final class BenchInt8Command implements Runnable {
    @Mixin
    Common common;

    @Option(names = "--preset", paramLabel = "NAME", description = "model shape, at its initial weights (default: ${DEFAULT-VALUE})")
    String preset = "gpt2";

    @Option(names = "--vocab-size", paramLabel = "N", description = "vocabulary of the --preset model (default: ${DEFAULT-VALUE}, GPT-2's)")
    int vocabSize = 50257;

    @Option(names = "--model", paramLabel = "DIR", description = "a float checkpoint to time instead of a preset")
    Path model;

    @Option(names = "--rounds", paramLabel = "N", description = "timed rounds, after one untimed (default: ${DEFAULT-VALUE})")
    int rounds = 5;

    @Option(names = "--seconds", paramLabel = "S", description = "time spent on each measurement (default: ${DEFAULT-VALUE})")
    double seconds = 0.5;

    private final PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    /** What is timed: per second, a call does work units (GFLOP, or one token). */
    private record Case(String name, String unit, double work, Runnable floats, Runnable int8) {
    }

    @Override
    public void run() {
        if (rounds < 1 || !(seconds > 0)) {
            throw new UserException("--rounds and --seconds must be positive: e.g. --rounds 5 --seconds 0.5");
        }
        Backend be = common.backend();
        Gpt floats = floatModel(be);
        Gpt int8 = Int8Host.quantize(floats).upload(be);
        GptConfig c = floats.config();
        Int8Layout layout = int8.int8().layout;
        stdout.printf("%s: n_layer %d, n_embd %d, vocabulary %d on %s; weight matrices %.1f MiB as floats, %.1f MiB as int8%n",
                model != null ? model : preset, c.nLayer(), c.nEmbd(), c.vocabSize(), be.name(),
                layout.valueCount() * 4.0 / (1 << 20), (layout.valueCount() + layout.scaleCount() * 4.0) / (1 << 20));
        List<Case> cases = new ArrayList<>();
        for (Linear linear : List.of(Linear.QKV, Linear.ATTPROJ, Linear.FC, Linear.FCPROJ, Linear.LM_HEAD)) {
            cases.add(matmul(be, linear, floats, int8.int8()));
        }
        int[] token = {0}, block = new int[c.blockSize()];
        float[] logits = new float[c.vocabSize()];
        cases.add(new Case("forward, one token", "tokens/s", 1, () -> decode(floats, token, logits), () -> decode(int8, token, logits)));
        cases.add(new Case("forward, " + block.length + " tokens", "tokens/s", block.length, () -> decode(floats, block, logits),
                () -> decode(int8, block, logits)));
        double[][] rates = new double[cases.size()][2 * rounds];
        for (int r = -1; r < rounds; r++) { // round -1 warms the JIT up
            for (int i = 0; i < cases.size(); i++) {
                Case k = cases.get(i);
                double f = rate(k.floats, be), q = rate(k.int8, be);
                if (r >= 0) {
                    rates[i][2 * r] = f * k.work;
                    rates[i][2 * r + 1] = q * k.work;
                }
            }
        }
        stdout.printf("%-22s %10s %10s %12s  (median of %d rounds)%n", "", "float", "int8", "int8/float", rounds);
        for (int i = 0; i < cases.size(); i++) {
            Case k = cases.get(i);
            double f = median(rates[i], 0), q = median(rates[i], 1);
            stdout.printf("%-22s %10.2f %10.2f %11.2fx  %s%n", k.name, f, q, q / f, k.unit);
        }
    }

    private Gpt floatModel(Backend be) {
        if (model != null) {
            if (!(Checkpoint.load(model, be).model() instanceof Gpt gpt) || gpt.int8() != null) {
                throw new UserException(model + " is not a float GPT checkpoint: bench int8 quantizes one itself; give a training run's --out");
            }
            return gpt;
        }
        ObjectNode json = Preset.load(preset).model().deepCopy();
        if (!json.has("vocab_size")) {
            json.put("vocab_size", vocabSize);
        }
        if (!(Models.create(json, be) instanceof Gpt gpt)) {
            throw new UserException("preset " + preset + " is not a GPT: bench int8 times GPTs' linear layers");
        }
        gpt.initWeights(1);
        return gpt;
    }

    /** One linear layer of block 0 (or the LM head) for one token, float and int8, on the same random input. */
    private static Case matmul(Backend be, Linear linear, Gpt floats, Int8Weights int8) {
        Int8Layout.Matrix m = int8.layout.matrices().get(int8.layout.index(0, linear));
        int C = m.cols(), OC = m.rows();
        Tensor x = be.alloc(C), out = be.alloc(OC), w = linear.weight(floats.params(), 0);
        float[] values = new float[C];
        Rng rng = Rng.of(5);
        for (int i = 0; i < C; i++) {
            values[i] = (float) rng.nextGaussian();
        }
        be.upload(x, values);
        Int8Weights.Matrix q = int8.matrix(0, linear);
        String name = String.format("%s %d -> %d", linear.name().toLowerCase().replace('_', ' '), C, OC);
        return new Case(name, "GFLOP/s", 2.0 * C * OC / 1e9, () -> be.matmulForward(out, x, w, null, 1, C, OC),
                () -> be.matmulForwardInt8(out, x, q.values(), q.scales(), null, 1, C, OC));
    }

    /** A decoding step without a cache: the forward of a sequence, and its last logits to the host. */
    private static void decode(Gpt gpt, int[] tokens, float[] logits) {
        int T = tokens.length;
        gpt.forward(tokens, null, 1, T, false, 0);
        gpt.backend().download(gpt.logits().slice((long) (T - 1) * logits.length, logits.length), logits);
    }

    /** Calls per second of op, run for --seconds; a one-float download every few calls waits for a device's queue. */
    private double rate(Runnable op, Backend be) {
        Tensor probe = be.alloc(1);
        float[] sink = new float[1];
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        int calls = 0;
        do {
            for (int i = 0; i < 8; i++) {
                op.run();
            }
            calls += 8;
            be.download(probe, sink);
        } while (System.nanoTime() < end);
        double took = (System.nanoTime() - start) / 1e9;
        be.free(probe);
        return calls / took;
    }

    /** The median of every other value from first (the float or the int8 rounds). */
    private static double median(double[] interleaved, int first) {
        double[] v = new double[interleaved.length / 2];
        for (int i = 0; i < v.length; i++) {
            v[i] = interleaved[2 * i + first];
        }
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
