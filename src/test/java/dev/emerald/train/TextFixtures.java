package dev.emerald.train;

import dev.emerald.util.Rng;

/** Texts the tests make themselves: a random first-order Markov chain with peaked transitions. */
final class TextFixtures {
    private TextFixtures() {
    }

    static String markov(int length, int alphabet, long seed) {
        Rng rng = Rng.of(seed);
        // each character prefers a few successors strongly, so the next character is predictable from the current
        int[][] favourites = new int[alphabet][3];
        for (int[] f : favourites) {
            for (int i = 0; i < f.length; i++) {
                f[i] = rng.nextInt(alphabet);
            }
        }
        StringBuilder sb = new StringBuilder(length);
        int c = 0;
        for (int i = 0; i < length; i++) {
            c = rng.nextFloat() < 0.9f ? favourites[c][rng.nextInt(3)] : rng.nextInt(alphabet);
            sb.append((char) ('a' + c));
        }
        return sb.toString();
    }
}
