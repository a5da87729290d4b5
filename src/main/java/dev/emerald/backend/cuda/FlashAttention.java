package dev.emerald.backend.cuda;

/**
 * Launches of the fused causal attention (src/main/cuda/flash_attention_*.cu) on device addresses.
 * Each kernel comes in two tile sizes, picked by head size: 32 rows for hs up to 64, 16 up to
 * {@link #MAX_HEAD_SIZE}, so that its staged tiles fit 48 KiB of shared memory
 * (flash_attention.cuh).
 */
final class FlashAttention {

    static final int MAX_HEAD_SIZE = 128;
    /** Threads per block of the tile kernels (an 8 x 8 grid) and of the row-dot kernel (8 warps). */
    private static final int THREADS = 64, ROWDOT_THREADS = 256;

    private final DeviceApi device;

    FlashAttention(DeviceApi device) {
        this.device = device;
    }

    static boolean supports(int hs) {
        return hs <= MAX_HEAD_SIZE;
    }

    /** out (B, T, C) and lse (B, NH, T) from qkv (B, T, 3C). */
    void forward(long out, long lse, long qkv, int B, int T, int C, int NH, float dropout, long seed, long stream) {
        int hs = C / NH, tile = tile(hs), ld = tile + 1;
        device.launch("flash_attention_forward" + suffix(hs), tiles(T, tile), NH, B, THREADS, 1, 1,
                4 * (3 * hs * ld + tile * ld), out, lse, qkv, T, NH, hs, scale(hs), dropout, seed, stream);
    }

    /** dqkv (B, T, 3C), overwritten, from dout, out (B, T, C), qkv and lse; D (B, NH, T) is scratch. */
    void backward(long dqkv, long D, long dout, long out, long qkv, long lse, int B, int T, int C, int NH,
                  float dropout, long seed, long stream) {
        int hs = C / NH, tile = tile(hs), ld = tile + 1, rows = B * T * NH, warps = ROWDOT_THREADS / 32;
        device.launch("flash_attention_backward_rowdot", (rows + warps - 1) / warps, 1, 1, ROWDOT_THREADS, 1, 1, 0,
                D, dout, out, B, T, NH, hs);
        device.launch("flash_attention_backward_dkdv" + suffix(hs), tiles(T, tile), NH, B, THREADS, 1, 1,
                4 * (4 * hs * ld + 2 * tile * ld + 2 * tile), dqkv, dout, qkv, lse, D, T, NH, hs, scale(hs), dropout,
                seed, stream);
        device.launch("flash_attention_backward_dq" + suffix(hs), tiles(T, tile), NH, B, THREADS, 1, 1,
                4 * (4 * hs * ld + tile * ld), dqkv, dout, qkv, lse, D, T, NH, hs, scale(hs), dropout, seed, stream);
    }

    private static int tile(int hs) {
        if (!supports(hs)) {
            throw new IllegalArgumentException("fused attention over heads of " + hs + " > " + MAX_HEAD_SIZE);
        }
        return hs <= 64 ? 32 : 16;
    }

    private static String suffix(int hs) {
        return hs <= 64 ? "_hs64" : "_hs128";
    }

    private static int tiles(int T, int tile) {
        return (T + tile - 1) / tile;
    }

    /** As CpuBackend's, so that both score the same. */
    private static float scale(int hs) {
        return (float) (1.0 / Math.sqrt(hs));
    }
}
