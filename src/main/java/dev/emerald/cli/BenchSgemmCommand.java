package dev.emerald.cli;

import dev.emerald.backend.cpu.Sgemm;
import dev.emerald.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code emerald bench sgemm}: GFLOP/s of the CPU backend's GEMM on given shapes, named as the model
 * uses them: nt (a linear layer's forward, C = A @ B^T), nn (its input gradient, C = A @ B) and tn
 * (its weight gradient, C += A^T @ B), each followed by M x N x K of C = op(A) (M, K) @ op(B) (K, N).
 */
@Command(name = "sgemm", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time the CPU GEMM on shapes such as nt:4096x1536x384 (nt: C = A B^T, nn: C = A B, tn: C += A^T B; then M x N x K).")
final class BenchSgemmCommand implements Runnable {
    private static final Pattern SHAPE = Pattern.compile("(nt|nn|tn):(\\d+)x(\\d+)x(\\d+)");

    @Parameters(arity = "1..*", paramLabel = "SHAPE", description = "e.g. nt:4096x1536x384")
    List<String> shapes;

    @Option(names = "--seconds", paramLabel = "S", description = "time spent measuring each shape, after as long warming up (default: ${DEFAULT-VALUE})")
    double seconds = 1;

    private final PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    @Override
    public void run() {
        for (String shape : shapes) {
            Matcher m = SHAPE.matcher(shape);
            if (!m.matches()) {
                throw new UserException("bad GEMM shape '" + shape + "': write it as nt|nn|tn:MxNxK, e.g. nt:4096x1536x384");
            }
            String op = m.group(1);
            int M = Integer.parseInt(m.group(2)), N = Integer.parseInt(m.group(3)), K = Integer.parseInt(m.group(4));
            Random rnd = new Random(1);
            float[] a = random(rnd, (long) M * K), b = random(rnd, (long) K * N), c = new float[Math.multiplyExact(M, N)];
            boolean transA = op.equals("tn"), transB = op.equals("nt");
            Runnable call = () -> Sgemm.gemm(transA, transB, M, N, K, a, 0, transA ? M : K, b, 0, transB ? K : N, transA, c, 0, N);
            repeatFor(seconds, call);
            long start = System.nanoTime();
            int calls = repeatFor(seconds, call);
            double s = (System.nanoTime() - start) / 1e9;
            stdout.printf("%-20s GFLOP/s: %.4g (%d calls)%n", shape, 2.0 * M * N * K * calls / s / 1e9, calls);
        }
    }

    /** Calls body until seconds have passed (at least once); returns how many times. */
    private static int repeatFor(double seconds, Runnable body) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        int calls = 0;
        do {
            body.run();
            calls++;
        } while (System.nanoTime() < end);
        return calls;
    }

    private static float[] random(Random rnd, long n) {
        float[] x = new float[Math.toIntExact(n)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
