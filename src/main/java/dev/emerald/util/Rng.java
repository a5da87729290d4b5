package dev.emerald.util;

/** SplitMix64: a seeded generator whose whole state is one long, so checkpoints can save it. */
public final class Rng {
    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    public static Rng of(long state) {
        return new Rng(state);
    }

    public long state() {
        return state;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public int nextInt(int bound) {
        // Lemire's rejection keeps it unbiased
        long m = (nextLong() >>> 32) * bound;
        while ((m & 0xFFFFFFFFL) < (0x100000000L % bound)) {
            m = (nextLong() >>> 32) * bound;
        }
        return (int) (m >>> 32);
    }

    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public double nextGaussian() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
