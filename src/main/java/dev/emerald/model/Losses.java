package dev.emerald.model;

/** The mean of per-position losses over the targets that count (negative targets are ignored). */
final class Losses {
    private Losses() {
    }

    static int valid(int[] targets, int n) {
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (targets[i] >= 0) {
                count++;
            }
        }
        return count;
    }

    /** 0 when no target counts. */
    static float mean(float[] losses, int[] targets, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (targets[i] >= 0) {
                sum += losses[i];
            }
        }
        int count = valid(targets, n);
        return count == 0 ? 0f : (float) (sum / count);
    }
}
