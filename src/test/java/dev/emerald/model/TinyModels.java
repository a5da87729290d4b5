package dev.emerald.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.Backend;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.Rng;

/** Models of a preset's family at a tiny, awkward size, for tests that compare forward passes and generations. */
public final class TinyModels {
    public static final int V = 67, BLOCK = 40;

    private TinyModels() {
    }

    /** C = 84, 4 heads of 21, 2 layers, V = 67, block_size 40 (course keeps its dropout, off in evaluation). */
    public static LanguageModel create(String preset, Backend be) {
        ObjectNode m = Preset.load(preset).model().deepCopy();
        m.put("vocab_size", V).put("block_size", BLOCK);
        if (m.path("architecture").asText("gpt").equals("gpt")) {
            m.put("n_layer", 2).put("n_head", 4).put("n_embd", 84);
        }
        return Models.create(m, be);
    }

    /** The same weights in every model: the usual init plus noise, so that every path carries visible values. */
    public static void sameWeights(LanguageModel first, LanguageModel... others) {
        first.initWeights(1);
        float[] p = download(first.backend(), first.parameters());
        Rng rng = Rng.of(2);
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (0.1 * rng.nextGaussian());
        }
        first.backend().upload(first.parameters(), p);
        for (LanguageModel m : others) {
            m.backend().upload(m.parameters(), p);
        }
    }

    public static float[] download(Backend be, Tensor t) {
        float[] x = new float[t.len()];
        be.download(t, x);
        return x;
    }

    /** n token ids in [0, V). */
    public static int[] tokens(int n, long seed) {
        Rng rng = Rng.of(seed);
        int[] x = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextInt(V);
        }
        return x;
    }
}
