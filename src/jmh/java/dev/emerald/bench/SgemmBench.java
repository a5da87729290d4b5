package dev.emerald.bench;

import dev.emerald.backend.cpu.Sgemm;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sgemm at the linear layer's training shapes (rows = B*T = 4096). Each invocation counts as
 * 2*M*N*K/1000 operations, so the reported throughput in ops/us reads directly as GFLOP/s.
 *
 * <p>Names: variant (nt = forward inp @ W^T, nn = dinp = dout @ W, tn = dW += dout^T @ inp),
 * then C x OC (C = 384 with OC = 1536 / 1152 / 384 are the MLP-up, QKV and attention-projection
 * layers, C = 1536 with OC = 384 the MLP-down layer).
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar target/benchmarks.jar SgemmBench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class SgemmBench {
    private static final int N = 4096;
    private static final int KFLOP_384_1536 = (int) (2L * N * 384 * 1536 / 1000);
    private static final int KFLOP_384_1152 = (int) (2L * N * 384 * 1152 / 1000);
    private static final int KFLOP_384_384 = (int) (2L * N * 384 * 384 / 1000);
    private static final int KFLOP_SMALL = (int) (2L * 768 * 128 * 512 / 1000);

    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setup() {
        Random rnd = new Random(1);
        a = random(rnd, N * 1536);
        b = random(rnd, N * 1536);
        c = new float[N * 1536];
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    /** out(n, oc) = inp(n, ch) @ W(oc, ch)^T. */
    private void nt(int n, int ch, int oc) {
        Sgemm.gemm(false, true, n, oc, ch, a, 0, ch, b, 0, ch, false, c, 0, oc);
    }

    /** dinp(n, ch) = dout(n, oc) @ W(oc, ch). */
    private void nn(int n, int ch, int oc) {
        Sgemm.gemm(false, false, n, ch, oc, a, 0, oc, b, 0, ch, false, c, 0, ch);
    }

    /** dW(oc, ch) += dout(n, oc)^T @ inp(n, ch). */
    private void tn(int n, int ch, int oc) {
        Sgemm.gemm(true, false, oc, ch, n, a, 0, oc, b, 0, ch, true, c, 0, ch);
    }

    @Benchmark
    @OperationsPerInvocation(KFLOP_384_1536)
    public void nt384x1536() {
        nt(N, 384, 1536);
    }

    @Benchmark
    @OperationsPerInvocation(KFLOP_384_1536)
    public void nn384x1536() {
        nn(N, 384, 1536);
    }

    @Benchmark
    @OperationsPerInvocation(KFLOP_384_1536)
    public void tn384x1536() {
        tn(N, 384, 1536);
    }

    @Benchmark
    @OperationsPerInvocation(KFLOP_384_1536)
    public void nt1536x384() {
        nt(N, 1536, 384);
    }

    @Benchmark
    @OperationsPerInvocation(KFLOP_384_1536)
    public void nn1536x384() {
        nn(N, 1536, 384);
    }

    @Benchmark
    @OperationsPerInvocation(KFLOP_384_1536)
    public void tn1536x384() {
        tn(N, 1536, 384);
    }

    @Benchmark
    @OperationsPerInvocation(KFLOP_384_1152)
    public void nt384x1152() {
        nt(N, 384, 1152);
    }

    @Benchmark
    @OperationsPerInvocation(KFLOP_384_1152)
    public void nn384x1152() {
        nn(N, 384, 1152);
    }

    @Benchmark
    @OperationsPerInvocation(KFLOP_384_1152)
    public void tn384x1152() {
        tn(N, 384, 1152);
    }

    @Benchmark
    @OperationsPerInvocation(KFLOP_384_384)
    public void nt384x384() {
        nt(N, 384, 384);
    }

    @Benchmark
    @OperationsPerInvocation(KFLOP_384_384)
    public void nn384x384() {
        nn(N, 384, 384);
    }

    @Benchmark
    @OperationsPerInvocation(KFLOP_384_384)
    public void tn384x384() {
        tn(N, 384, 384);
    }

    /** The small model (768 rows, C = 128, OC = 512) forward: dominated by per-call overhead. */
    @Benchmark
    @OperationsPerInvocation(KFLOP_SMALL)
    public void ntSmall128x512() {
        nt(768, 128, 512);
    }
}
