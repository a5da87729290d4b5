package dev.emerald.bench;

import dev.emerald.backend.cuda.CudaBackend;
import dev.emerald.backend.cuda.DeviceApi;
import dev.emerald.backend.cuda.JCudaDevice;
import dev.emerald.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE;

/**
 * Every memory-bound kernel family of {@code src/main/cuda} through {@link CudaBackend} on GPU 0, at
 * GPT-2 124M's training shapes (B = 8, T = 1024, C = 768, V = 50257, 124M parameters). GEMMs are
 * cuBLAS's and attention has {@link AttentionBench}.
 *
 * <p>One op is a kilobyte of the DRAM traffic the kernel cannot avoid (each input read once, each
 * output written once), so ops/us reads as GB/s; set-up prints the device's peak bandwidth
 * (2 x memory clock x bus width) to read it against.
 *
 * <p>Run: {@code bin/jmh KernelBench} (docs/cuda-benchmarks.md).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class KernelBench {
    private static final int B = 8, T = 1024, C = 768, V = 50257, N = B * T;
    private static final long PARAMS = 124_439_808L;
    /** Floats moved, over 250 (4 bytes each, per kilobyte). */
    private static final int ENCODER = 3 * N * C / 250, LAYERNORM = 2 * N * C / 250, LAYERNORM_BACKWARD = 4 * N * C / 250,
            GELU = 2 * N * 4 * C / 250, GELU_BACKWARD = 3 * N * 4 * C / 250, RESIDUAL = 3 * N * C / 250,
            DROPOUT = 2 * N * C / 250, CLASSIFIER = (int) (2L * N * V / 250), ADAMW = (int) (7 * PARAMS / 250),
            NORM = (int) (PARAMS / 250);

    private DeviceApi device;
    private CudaBackend cuda;
    private int[] tokens;
    private Tensor wte, wpe, x, y, dx, dy, mean, rstd, w, b, dw, db, fch, fchAct, dfch, logits, losses, params, grads, m, v;

    @Setup
    public void setup() {
        device = new JCudaDevice(0);
        System.out.printf("%n%s: peak memory bandwidth %.0f GB/s%n", device.describe(), peakGBs());
        cuda = new CudaBackend(device);
        Random rnd = new Random(1);
        tokens = rnd.ints(N, 0, V).toArray();
        wte = GpuBenchSupport.gaussian(cuda, rnd, (long) V * C, 0.1);
        wpe = GpuBenchSupport.gaussian(cuda, rnd, (long) T * C, 0.1);
        x = GpuBenchSupport.gaussian(cuda, rnd, (long) N * C, 0.1);
        y = cuda.alloc((long) N * C);
        dx = cuda.alloc((long) N * C);
        dy = GpuBenchSupport.gaussian(cuda, rnd, (long) N * C, 0.1);
        mean = cuda.alloc(N);
        rstd = cuda.alloc(N);
        w = GpuBenchSupport.gaussian(cuda, rnd, C, 0.1);
        b = GpuBenchSupport.gaussian(cuda, rnd, C, 0.1);
        dw = cuda.alloc(C);
        db = cuda.alloc(C);
        fch = GpuBenchSupport.gaussian(cuda, rnd, (long) N * 4 * C, 0.1);
        fchAct = cuda.alloc((long) N * 4 * C);
        dfch = GpuBenchSupport.gaussian(cuda, rnd, (long) N * 4 * C, 0.1);
        logits = GpuBenchSupport.gaussian(cuda, rnd, (long) N * V, 0.1);
        losses = cuda.alloc(N);
        params = GpuBenchSupport.gaussian(cuda, rnd, PARAMS, 0.1);
        grads = GpuBenchSupport.gaussian(cuda, rnd, PARAMS, 0.1);
        m = cuda.alloc(PARAMS);
        v = cuda.alloc(PARAMS);
        cuda.layernormForward(y, mean, rstd, x, w, b, N, C);
    }

    /** 2 (double data rate) x memory clock x bus width. */
    private static double peakGBs() {
        return 2.0 * GpuBenchSupport.attribute(CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE) * 1e3
                * GpuBenchSupport.attribute(CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH) / 8 / 1e9;
    }

    @TearDown
    public void tearDown() {
        cuda.close();
    }

    @Benchmark
    @OperationsPerInvocation(ENCODER)
    public void encoderForward() {
        cuda.encoderForward(y, tokens, wte, wpe, B, T, C);
        device.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(ENCODER)
    public void encoderBackward() {
        cuda.encoderBackward(wte, wpe, dy, tokens, B, T, C);
        device.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(LAYERNORM)
    public void layernormForward() {
        cuda.layernormForward(y, mean, rstd, x, w, b, N, C);
        device.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(LAYERNORM_BACKWARD)
    public void layernormBackward() {
        cuda.layernormBackward(dx, dw, db, dy, x, w, mean, rstd, N, C);
        device.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(GELU)
    public void geluForward() {
        cuda.geluForward(fchAct, fch, N * 4 * C);
        device.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(GELU_BACKWARD)
    public void geluBackward() {
        cuda.geluBackward(fchAct, fch, dfch, N * 4 * C);
        device.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(RESIDUAL)
    public void residualForward() {
        cuda.residualForward(y, x, dy, N * C);
        device.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(DROPOUT)
    public void dropout() {
        cuda.dropout(dx, N * C, 0.1f, 1, 2);
        device.synchronize();
    }

    /** Turns logits into probabilities in place: repeated, it keeps running on valid probabilities. */
    @Benchmark
    @OperationsPerInvocation(CLASSIFIER)
    public void classifierForward() {
        cuda.crossEntropyForward(losses, logits, tokens, N, V);
        device.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(CLASSIFIER)
    public void classifierBackward() {
        cuda.crossEntropyBackward(logits, logits, tokens, 1f / N, N, V);
        device.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(ADAMW)
    public void adamw() {
        cuda.adamw(params, grads, m, v, 1e-4f, 0.9f, 0.95f, 1e-8f, 0.1f, 0.1f, 0.05f);
        device.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(NORM)
    public double gradientNorm() {
        return cuda.sumSquares(grads);
    }
}
