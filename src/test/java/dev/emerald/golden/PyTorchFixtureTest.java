package dev.emerald.golden;

import com.fasterxml.jackson.databind.JsonNode;
import dev.emerald.backend.Backend;
import dev.emerald.backend.DeviceChoice;
import dev.emerald.io.SafeTensors;
import dev.emerald.model.Gpt;
import dev.emerald.model.Models;
import dev.emerald.model.ParameterLayout;
import dev.emerald.train.AdamW;
import dev.emerald.train.TrainConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import static dev.emerald.golden.Compare.assertClose;
import static dev.emerald.golden.Fixture.floats;
import static dev.emerald.golden.Fixture.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Emerald against PyTorch (float64, tools/fixtures/make_fixtures.py): logits, loss, every parameter's
 * gradient, and five AdamW steps with Emerald's schedule, weight decay and clipping.
 */
class PyTorchFixtureTest {
    static final double TOLERANCE = 1e-4;
    static final double LOSS_TOLERANCE = 1e-5;

    private record Run(Gpt gpt, int[] inputs, int[] targets, int B, int T) implements AutoCloseable {
        @Override
        public void close() {
            gpt.backend().close();
        }
    }

    /** Every fixture on the CPU backend and on the CUDA backend (fused attention) over the emulator. */
    static Stream<Arguments> cases() {
        return Stream.of("gpt2-aligned", "gpt2-odd", "course-odd")
                .flatMap(name -> Stream.of(Arguments.of(name, "cpu"), Arguments.of(name, "cuda-emu")));
    }

    private static Backend backend(String device) {
        if (device.equals("cuda-emu")) {
            assumeTrue(DeviceChoice.emulatorUnavailable().isEmpty(), () -> DeviceChoice.emulatorUnavailable().orElseThrow());
        }
        return DeviceChoice.parse(device).open();
    }

    private static Run setUp(Fixture f, SafeTensors.Reader r, String prefix, String device) {
        Gpt gpt = (Gpt) Models.create(f.config().get("model"), backend(device));
        upload(gpt, r, prefix);
        JsonNode batch = f.config().get("batch");
        return new Run(gpt, ints(r, "inputs"), ints(r, "targets"), batch.get("B").asInt(), batch.get("T").asInt());
    }

    private static void upload(Gpt gpt, SafeTensors.Reader r, String prefix) {
        float[] host = new float[Math.toIntExact(gpt.parameterCount())];
        for (ParameterLayout.Entry e : gpt.layout().entries()) {
            r.readFloats(prefix + e.name(), host, Math.toIntExact(e.offset()));
        }
        long inFixture = r.tensors().stream().filter(t -> t.name().startsWith(prefix)).count();
        assertEquals(gpt.layout().entries().size(), inFixture, "parameters in the fixture vs the model's layout");
        gpt.backend().upload(gpt.parameters(), host);
    }

    private static float[] download(Gpt gpt, dev.emerald.tensor.Tensor t) {
        float[] host = new float[t.len()];
        gpt.backend().download(t, host);
        return host;
    }

    /** Checks each parameter-shaped tensor, the one nearest the loss first, so the first failure names the culprit. */
    private static void assertParameters(Gpt gpt, float[] actual, SafeTensors.Reader r, String prefix,
                                         BiConsumer<String, float[][]> check) {
        List<ParameterLayout.Entry> entries = gpt.layout().entries();
        for (ParameterLayout.Entry e : entries.reversed()) {
            float[] mine = Arrays.copyOfRange(actual, Math.toIntExact(e.offset()), Math.toIntExact(e.offset() + e.size()));
            check.accept(e.name(), new float[][] {mine, floats(r, prefix + e.name())});
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void logitsLossAndGradientsMatchPyTorch(String name, String device) {
        Fixture f = Fixture.load(name);
        try (SafeTensors.Reader r = f.tensors(); Run run = setUp(f, r, "param.", device)) {
            Gpt gpt = run.gpt();
            gpt.forward(run.inputs(), null, run.B(), run.T(), false, 0);
            double logits = assertClose("logits", download(gpt, gpt.logits()), floats(r, "logits"), TOLERANCE);

            gpt.zeroGrad();
            float loss = gpt.forward(run.inputs(), run.targets(), run.B(), run.T(), true, 0);
            assertEquals(floats(r, "loss")[0], loss, LOSS_TOLERANCE, "loss");
            gpt.backward(1f);
            double[] worst = {0};
            assertParameters(gpt, download(gpt, gpt.gradients()), r, "grad.",
                    (param, ab) -> worst[0] = Math.max(worst[0], assertClose("gradient of " + param, ab[0], ab[1], TOLERANCE)));
            System.out.printf("%s on %s: logits max rel. error %.2g, loss %.7f vs %.7f, gradients max rel. error %.2g%n",
                    name, device, logits, loss, floats(r, "loss")[0], worst[0]);
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void fiveAdamWStepsMatchPyTorch(String name, String device) {
        Fixture f = Fixture.load(name);
        JsonNode t = f.config().get("train");
        TrainConfig config = new TrainConfig(f.config().get("batch").get("B").asInt(), 1,
                t.get("learning_rate").floatValue(), t.get("min_lr").floatValue(), t.get("warmup_steps").asInt(),
                t.get("max_steps").asInt(), t.get("weight_decay").floatValue(), t.get("beta1").floatValue(),
                t.get("beta2").floatValue(), t.get("grad_clip").floatValue(), 1, 1, 0);
        try (SafeTensors.Reader r = f.tensors(); Run run = setUp(f, r, "param.", device)) {
            Gpt gpt = run.gpt();
            AdamW adamw = new AdamW(gpt);
            float[] expected = floats(r, "losses");
            float[] losses = new float[expected.length];
            double budget = 0;
            for (int step = 0; step < losses.length; step++) {
                gpt.zeroGrad();
                losses[step] = gpt.forward(run.inputs(), run.targets(), run.B(), run.T(), true, 0);
                gpt.backward(1f);
                adamw.step(config, config.lr(step));
                budget += config.lr(step);
            }
            // AdamW moves a weight by about lr per step whatever its gradient's size, so near-zero gradients
            // (float32 noise against float64) still take full steps: elementwise relative error means nothing
            // here. Every weight must instead land within 1% of the distance the 5 steps could move it.
            double bound = 0.01 * budget;
            int C = gpt.config().nEmbd();
            double[] worst = {0};
            assertParameters(gpt, download(gpt, gpt.parameters()), r, "final.", (param, ab) -> {
                String what = "after " + expected.length + " AdamW steps, " + param;
                double err;
                if (param.endsWith("attn.c_attn.bias")) {
                    // The key bias adds q.b to every score of a row, which softmax ignores: its gradient is
                    // exactly 0, so both sides step on rounding noise alone. Compare the q and v biases only.
                    err = Math.max(Compare.assertWithin(what + " (query part)", Arrays.copyOfRange(ab[0], 0, C), Arrays.copyOfRange(ab[1], 0, C), bound),
                            Compare.assertWithin(what + " (value part)", Arrays.copyOfRange(ab[0], 2 * C, 3 * C), Arrays.copyOfRange(ab[1], 2 * C, 3 * C), bound));
                } else {
                    err = Compare.assertWithin(what, ab[0], ab[1], bound);
                }
                worst[0] = Math.max(worst[0], err);
            });
            // after the weights, so that a failure names the tensor that went astray
            for (int step = 0; step < losses.length; step++) {
                assertEquals(expected[step], losses[step], LOSS_TOLERANCE, "loss before AdamW step " + step);
            }
            System.out.printf("%s on %s: %d AdamW steps, losses match, weights max |difference| %.2g (%.2g%% of the steps' reach)%n",
                    name, device, expected.length, worst[0], 100 * worst[0] / budget);
        }
    }
}
