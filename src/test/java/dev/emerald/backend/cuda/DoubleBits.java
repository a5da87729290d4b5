package dev.emerald.backend.cuda;

/** Doubles as the ints a device holds them in (little-endian: low word first), to upload them as ints. */
final class DoubleBits {
    private DoubleBits() {
    }

    static int[] words(double[] x) {
        int[] words = new int[2 * x.length];
        for (int i = 0; i < x.length; i++) {
            long bits = Double.doubleToRawLongBits(x[i]);
            words[2 * i] = (int) bits;
            words[2 * i + 1] = (int) (bits >>> 32);
        }
        return words;
    }
}
