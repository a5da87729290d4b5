package dev.emerald.backend.cpu;

import dev.emerald.backend.ReferenceOps;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The CPU backend's cached attention: the keys and values of a sequence's first pos positions, then of T more,
 * written into a cache, and the T new queries' attention over it, against the naive double-precision causal
 * attention over the whole sequence (its last T rows).
 */
class CachedAttentionTest {

    @ParameterizedTest(name = "pos={0} T={1} NH={2} hs={3}")
    @CsvSource({"0, 37, 4, 21", "20, 1, 4, 21", "15, 9, 3, 32", "0, 1, 2, 8", "70, 70, 2, 96", "130, 1, 1, 40"})
    void matchesTheNaiveAttentionOverTheWholeSequence(int pos, int T, int NH, int hs) {
        int C = NH * hs, n = pos + T;
        Rng rng = Rng.of(pos * 31L + T);
        float[] qkv = new float[n * 3 * C];
        for (int i = 0; i < qkv.length; i++) {
            qkv[i] = (float) rng.nextGaussian();
        }
        CpuBackend be = new CpuBackend();
        Tensor all = be.alloc(qkv.length), keys = be.alloc((long) n * C + 5).slice(5, (long) n * C), values = be.alloc((long) n * C);
        be.upload(all, qkv);
        Tensor before = all.slice(0, (long) pos * 3 * C), fresh = all.slice((long) pos * 3 * C, (long) T * 3 * C);
        be.kvCacheWrite(keys.slice(0, (long) pos * C), values.slice(0, (long) pos * C), before, pos, C);
        be.kvCacheWrite(keys.slice((long) pos * C, (long) T * C), values.slice((long) pos * C, (long) T * C), fresh, T, C);
        Tensor out = be.alloc((long) T * C);
        be.cachedAttentionForward(out, fresh, keys, values, pos, T, C, NH);

        double[] ones = new double[NH * n * n];
        Arrays.fill(ones, 1);
        double[] qkvDouble = new double[qkv.length];
        for (int i = 0; i < qkv.length; i++) {
            qkvDouble[i] = qkv[i];
        }
        double[] expected = ReferenceOps.refAttention(qkvDouble, 1, n, C, NH, ones);
        float[] actual = new float[T * C];
        be.download(out, actual);
        for (int i = 0; i < T * C; i++) {
            assertEquals(expected[pos * C + i], actual[i], 1e-5, "out[" + i / C + "][" + i % C + "]");
        }
    }
}
