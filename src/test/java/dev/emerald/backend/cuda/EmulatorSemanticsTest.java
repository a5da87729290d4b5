package dev.emerald.backend.cuda;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The emulator's execution model against plain Java, with the kernels of src/test/cuda. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EmulatorSemanticsTest {
    private EmulatorDevice dev;

    @BeforeEach
    void open() {
        dev = new EmulatorDevice(Emulators.testKernels());
    }

    @AfterEach
    void close() {
        if (dev != null) {  // null where the emulator was not built
            dev.close();
        }
    }

    /** Small integers as floats, so that sums are exact in any order. */
    private static float[] integers(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextInt(201) - 100;
        }
        return x;
    }

    private long upload(float[] x) {
        long d = dev.malloc(4L * x.length);
        dev.copyToDevice(d, x, 0, x.length);
        return d;
    }

    private float[] download(long d, int n) {
        float[] x = new float[n];
        dev.copyToHost(x, 0, d, n);
        return x;
    }

    private static int[] downloadInts(long d, int n) {
        return EmulatorDevice.at(d, 4L * n).toArray(JAVA_INT);
    }

    private long uploadInts(int[] x) {
        long d = dev.malloc(4L * x.length);
        dev.copyToDevice(d, x, 0, x.length);
        return d;
    }

    @Test
    void blockSumWithBarriersAndStaticShared() {
        int n = 5000;
        float[] in = integers(new Random(1), n);
        long din = upload(in);
        for (int block : new int[] {1024, 256, 100, 37}) {
            int blocks = (n + block - 1) / block;
            long out = dev.malloc(4L * blocks);
            dev.launch("barrier_block_sum", blocks, 1, 1, block, 1, 1, 0, out, din, n);
            float[] got = download(out, blocks);
            for (int b = 0; b < blocks; b++) {
                float want = 0;
                for (int i = b * block; i < Math.min(n, (b + 1) * block); i++) {
                    want += in[i];
                }
                assertEquals(want, got[b], "block size " + block + ", block " + b);
            }
        }
    }

    @Test
    void barrierMakesEachRoundsWriteVisibleToAllThreads() {
        int blocks = 3;
        long errors = uploadInts(new int[blocks]);
        dev.launch("barrier_rounds", blocks, 1, 1, 96, 1, 1, 0, errors, 200);
        assertArrayEquals(new int[blocks], downloadInts(errors, blocks));
    }

    @Test
    void warpSumsByXorAndDownShuffles() {
        int threads = 4 * 256;
        float[] in = integers(new Random(2), threads);
        long din = upload(in);
        long xor = dev.malloc(4L * threads);
        long down = dev.malloc(4L * threads / 32);
        dev.launch("shuffle_warp_sum_xor", 4, 1, 1, 256, 1, 1, 0, xor, din);
        dev.launch("shuffle_warp_sum_down", 4, 1, 1, 256, 1, 1, 0, down, din);
        float[] everyLane = download(xor, threads);
        float[] laneZero = download(down, threads / 32);
        for (int w = 0; w < threads / 32; w++) {
            float want = 0;
            for (int i = 0; i < 32; i++) {
                want += in[32 * w + i];
            }
            assertEquals(want, laneZero[w], "down, warp " + w);
            for (int i = 0; i < 32; i++) {
                assertEquals(want, everyLane[32 * w + i], "xor, thread " + (32 * w + i));
            }
        }
    }

    /** CUDA's rule for a shuffle's source lane (CUDA C++ Programming Guide, warp shuffle functions). */
    private static int sourceLane(int mode, int lane, int arg, int width) {
        int first = lane / width * width;
        int src = switch (mode) {
            case 0 -> first + Math.floorMod(arg, width);
            case 1 -> lane - arg >= first ? lane - arg : lane;
            case 2 -> lane + arg;
            default -> lane ^ arg;
        };
        return src < first + width ? src : lane;
    }

    @Test
    void shuffleSourceLanesForEveryModeAndWidth() {
        int threads = 128;
        int[] in = new int[threads];
        for (int i = 0; i < threads; i++) {
            in[i] = 1000 + i;
        }
        long din = uploadInts(in);
        long out = dev.malloc(8L * threads);
        for (int mode = 0; mode < 4; mode++) {
            for (int width : new int[] {32, 16, 4}) {
                for (int arg : new int[] {0, 1, 3, 13, 31}) {
                    dev.launch("shuffle_lanes", 2, 1, 1, threads / 2, 1, 1, 0, out, din, mode, arg, width);
                    int[] got = downloadInts(out, 2 * threads);
                    for (int i = 0; i < threads; i++) {
                        int warp = i / 32 * 32;
                        int once = sourceLane(mode, i % 32, arg, width);
                        int twice = sourceLane(mode, once, arg, width);
                        String what = "mode " + mode + " width " + width + " arg " + arg + " thread " + i;
                        assertEquals(in[warp + once], got[2 * i], what);
                        assertEquals(in[warp + twice], got[2 * i + 1], what + ", second shuffle");
                    }
                }
            }
        }
    }

    @Test
    void sharedMemoryIsPrivateToEachBlock() {
        int block = 256, blocks = 64;
        float[] in = integers(new Random(3), block * blocks);
        long din = upload(in);
        long out = dev.malloc(4L * in.length);
        float[] want = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            want[i] = in[i / block * block + block - 1 - i % block];
        }
        dev.launch("shared_reverse_static", blocks, 1, 1, block, 1, 1, 0, out, din);
        assertArrayEquals(want, download(out, in.length), "static");
        dev.memsetZero(out, 4L * in.length);
        dev.launch("shared_reverse_dynamic", blocks, 1, 1, block, 1, 1, 4 * block, out, din);
        assertArrayEquals(want, download(out, in.length), "dynamic");
    }

    @Test
    void atomicAddIsExactAcrossBlocksOnSeveralThreads() {
        long count = uploadInts(new int[1]);
        dev.launch("atomics_count", 1000, 1, 1, 256, 1, 1, 0, count);
        assertEquals(256_000, downloadInts(count, 1)[0]);

        int n = 100_000;
        float[] in = integers(new Random(4), n);
        float want = 0;
        for (float x : in) {
            want += x;
        }
        long total = upload(new float[1]);
        dev.launch("atomics_sum", (n + 127) / 128, 1, 1, 128, 1, 1, 0, total, upload(in), n);
        assertEquals(want, download(total, 1)[0]);
    }

    @Test
    void builtInIndicesOf2dAnd3dGrids() {
        int[][] shapes = {{3, 4, 2, 4, 2, 3}, {5, 2, 1, 32, 3, 1}};
        for (int[] s : shapes) {
            int gx = s[0], gy = s[1], gz = s[2], bx = s[3], by = s[4], bz = s[5];
            int threads = gx * gy * gz * bx * by * bz;
            long out = dev.malloc(48L * threads);
            dev.launch("grid_indices", gx, gy, gz, bx, by, bz, 0, out);
            int[] got = downloadInts(out, 12 * threads);
            int i = 0;
            for (int z = 0; z < gz; z++) {
                for (int y = 0; y < gy; y++) {
                    for (int x = 0; x < gx; x++) {
                        for (int tz = 0; tz < bz; tz++) {
                            for (int ty = 0; ty < by; ty++) {
                                for (int tx = 0; tx < bx; tx++) {
                                    int[] want = {tx, ty, tz, x, y, z, bx, by, bz, gx, gy, gz};
                                    int[] at = Arrays.copyOfRange(got, 12 * i, 12 * i + 12);
                                    assertArrayEquals(want, at, "thread " + i);
                                    i++;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
