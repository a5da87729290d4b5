package dev.emerald.generate;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.TinyModels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.emerald.model.TinyModels.BLOCK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GeneratorTest {

    /** Generations sharing one generator, token by token, each with its own cache, give what each gives alone. */
    @Test
    void concurrentGenerationsEqualTheSameAlone() throws Exception {
        LanguageModel m = TinyModels.create("gpt2", new CpuBackend());
        TinyModels.sameWeights(m);
        Generator shared = new Generator(m);
        int sequences = 4, length = BLOCK + 10; // past block_size: each slides its own window
        int[][] alone = new int[sequences][];
        for (int i = 0; i < sequences; i++) {
            alone[i] = shared.generate(TinyModels.tokens(1 + 9 * i, i), length, new Sampler(1f, 0, i), t -> true);
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(sequences)) {
            List<Future<int[]>> together = new ArrayList<>();
            for (int i = 0; i < sequences; i++) {
                int seq = i;
                together.add(pool.submit(() -> shared.generate(TinyModels.tokens(1 + 9 * seq, seq), length, new Sampler(1f, 0, seq), t -> true)));
            }
            for (int i = 0; i < sequences; i++) {
                assertArrayEquals(alone[i], together.get(i).get(), "sequence " + i);
            }
        }
    }

    @Test
    void stopsAfterTheTokenTheCallbackRefuses() {
        LanguageModel m = TinyModels.create("course", new CpuBackend());
        TinyModels.sameWeights(m);
        int[] all = new Generator(m).generate(new int[] {1, 2}, 20, new Sampler(1f, 0, 3), t -> true);
        int[] count = {0};
        int[] cut = new Generator(m).generate(new int[] {1, 2}, 20, new Sampler(1f, 0, 3), t -> ++count[0] < 5);
        assertEquals(2 + 5, cut.length);
        assertArrayEquals(Arrays.copyOf(all, 7), cut);
    }
}
