package dev.emerald.bench;

import dev.emerald.backend.cuda.Attention;
import dev.emerald.backend.cuda.CudaBackend;
import dev.emerald.backend.cuda.DeviceApi;
import dev.emerald.backend.cuda.JCudaDevice;
import dev.emerald.tensor.Tensor;
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

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;

/**
 * Causal attention on GPU 0, fused (flash_attention_*.cu) against unfused (cuBLAS + softmax_forward1),
 * at GPT-2 124M's shape with a 1024-token context: B = 8, T = 1024, NH = 12, hs = 64.
 *
 * <p>One op is one MFLOP, so ops/us reads as TFLOP/s. The count is the causal attention's useful
 * work, FlashAttention's convention: the forward's two (T, T) x hs products over the lower triangle,
 * 2 B NH T^2 hs, and the backward's five, 2.5 times that; the fused backward's recomputation of the
 * scores is not counted. The device's FP32 peak (without tensor cores) is printed at set-up.
 *
 * <p>Run: {@code bin/jmh AttentionBench} (docs/cuda-benchmarks.md).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class AttentionBench {
    private static final int B = 8, T = 1024, NH = 12, HS = 64, C = NH * HS;
    private static final long FORWARD_FLOP = 2L * B * NH * T * T * HS;
    private static final int FORWARD_MFLOP = (int) (FORWARD_FLOP / 1_000_000);
    private static final int TRAINING_MFLOP = (int) (FORWARD_FLOP * 7 / 2 / 1_000_000);

    @Param({"fused", "unfused"})
    public String attention;

    private DeviceApi device;
    private CudaBackend cuda;
    private Tensor qkv, out, state, dout, dqkv, scratch;

    @Setup
    public void setup() {
        device = new JCudaDevice(0);
        System.out.printf("%n%s: FP32 peak %.1f TFLOP/s (no tensor cores)%n", device.describe(), peakTflops());
        cuda = new CudaBackend(device, Attention.parse(attention, "attention"));
        long n = (long) B * T * C;
        qkv = GpuBenchSupport.gaussian(cuda, new Random(1), 3 * n, 1);
        dout = GpuBenchSupport.gaussian(cuda, new Random(2), n, 1);
        out = cuda.alloc(n);
        dqkv = cuda.alloc(3 * n);
        state = cuda.alloc(cuda.attentionStateSize(B, T, C, NH));
        scratch = cuda.alloc(cuda.attentionScratchSize(B, T, C, NH));
    }

    /** SMs x FP32 lanes per SM x 2 (an FMA) x boost clock; sm_80 has 64 lanes per SM, later GPUs 128. */
    private static double peakTflops() {
        int sms = GpuBenchSupport.attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        int kHz = GpuBenchSupport.attribute(CU_DEVICE_ATTRIBUTE_CLOCK_RATE);
        int major = GpuBenchSupport.attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        int minor = GpuBenchSupport.attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        int lanes = major < 8 || major == 8 && minor == 0 ? 64 : 128;
        return sms * lanes * 2.0 * kHz * 1e3 / 1e12;
    }

    @TearDown
    public void tearDown() {
        cuda.close();
    }

    @Benchmark
    @OperationsPerInvocation(FORWARD_MFLOP)
    public void forward() {
        cuda.attentionForward(out, state, qkv, B, T, C, NH, 0f, 1, 0);
        device.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(TRAINING_MFLOP)
    public void forwardBackward() {
        cuda.attentionForward(out, state, qkv, B, T, C, NH, 0f, 1, 0);
        cuda.attentionBackward(dqkv, scratch, dout, out, qkv, state, B, T, C, NH, 0f, 1, 0);
        device.synchronize();
    }
}
