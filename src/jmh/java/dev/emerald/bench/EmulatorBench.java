package dev.emerald.bench;

import dev.emerald.backend.cuda.Emulator;
import dev.emerald.backend.cuda.EmulatorDevice;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the CUDA emulator costs. {@code layernorm}: one launch of layernorm_forward1 on (N, C), one
 * warp per row, 128-thread blocks. {@code barrier}: the time per thread and {@code __syncthreads()}
 * (two fiber switches) in one block of 256 threads passing 1000 barriers, with barrier_rounds from
 * the test library ({@code target/test-classes}, built by {@code bin/jmh}'s package).
 *
 * <p>Run: {@code bin/jmh EmulatorBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class EmulatorBench {
    private static final int BARRIER_THREADS = 256;
    private static final int BARRIER_ROUNDS = 500;  // two barriers each

    @State(Scope.Benchmark)
    public static class Layernorm {
        @Param({"64x256", "4096x768"})
        public String shape;

        EmulatorDevice dev;
        int n;
        int c;
        long out, mean, rstd, inp, w, b;

        @Setup
        public void setup() {
            n = Integer.parseInt(shape.split("x")[0]);
            c = Integer.parseInt(shape.split("x")[1]);
            dev = new EmulatorDevice();
            Random rnd = new Random(1);
            inp = upload(dev, random(rnd, n * c));
            w = upload(dev, random(rnd, c));
            b = upload(dev, random(rnd, c));
            out = dev.malloc(4L * n * c);
            mean = dev.malloc(4L * n);
            rstd = dev.malloc(4L * n);
        }

        @TearDown
        public void tearDown() {
            dev.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Barrier {
        EmulatorDevice dev;
        long errors;

        @Setup
        public void setup() throws URISyntaxException {
            Path jar = Path.of(EmulatorBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            dev = new EmulatorDevice(Emulator.load(jar.resolveSibling("test-classes/native/linux-x86_64/libemerald_emu_test.so")));
            errors = dev.malloc(4);
            dev.memsetZero(errors, 4);
        }

        @TearDown
        public void tearDown() {
            float[] count = new float[1];
            dev.copyToHost(count, 0, errors, 1);
            if (Float.floatToRawIntBits(count[0]) != 0) {
                throw new IllegalStateException("barrier_rounds saw a broken barrier");
            }
            dev.close();
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    private static long upload(EmulatorDevice dev, float[] x) {
        long d = dev.malloc(4L * x.length);
        dev.copyToDevice(d, x, 0, x.length);
        return d;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void layernorm(Layernorm s) {
        s.dev.launch("layernorm_forward1", (s.n * 32 + 127) / 128, 1, 1, 128, 1, 1, 0,
                s.out, s.mean, s.rstd, s.inp, s.w, s.b, s.n, s.c);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(BARRIER_THREADS * 2 * BARRIER_ROUNDS)
    public void barrier(Barrier s) {
        s.dev.launch("barrier_rounds", 1, 1, 1, BARRIER_THREADS, 1, 1, 0, s.errors, BARRIER_ROUNDS);
    }
}
