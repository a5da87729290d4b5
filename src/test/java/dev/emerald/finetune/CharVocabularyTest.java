package dev.emerald.finetune;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.data.CharTokenizer;
import dev.emerald.data.Tokenizer;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Models;
import dev.emerald.model.ParameterLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A char model gains the end token and the pairs' new characters without changing its predictions among its own tokens. */
class CharVocabularyTest {
    private static final String BASE_TEXT = "hello world, the quick brown fox.";
    private static final String PROMPT = "the world fox";

    private static String config(String family, int vocab) {
        String course = "\"prenorm\":false,\"activation\":\"relu\",\"qkv_bias\":false,\"tie_embeddings\":false,\"lm_head_bias\":true,"
                + "\"scaled_residual_init\":false";
        String gpt2 = "\"prenorm\":true,\"activation\":\"gelu\",\"qkv_bias\":true,\"tie_embeddings\":true,\"lm_head_bias\":false,"
                + "\"scaled_residual_init\":true";
        return "{\"architecture\":\"gpt\",\"vocab_size\":" + vocab + ",\"block_size\":16,\"n_layer\":2,\"n_head\":2,\"n_embd\":12,"
                + "\"dropout\":0.0," + (family.equals("course") ? course : gpt2) + "}";
    }

    private static float[] download(LanguageModel m) {
        float[] host = new float[m.parameters().len()];
        m.backend().download(m.parameters(), host);
        return host;
    }

    /** The logits (T, V) of text. */
    private static float[] logits(LanguageModel m, Tokenizer tok, String text) {
        int[] ids = tok.encode(text);
        m.forward(ids, null, 1, ids.length, false, 0);
        float[] out = new float[ids.length * m.vocabSize()];
        m.backend().download(m.logits().slice(0, out.length), out);
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "course"})
    void extendedModelPredictsItsOldTokensAsBeforeAndNewRowsAreTheMean(String family) throws Exception {
        CharTokenizer tok = CharTokenizer.fit(BASE_TEXT);
        int V = tok.vocabSize();
        LanguageModel base = Models.create(Models.JSON.readTree(config(family, V)), new CpuBackend());
        base.initWeights(5);
        float[] before = logits(base, tok, PROMPT), baseParams = download(base);
        ParameterLayout baseLayout = base.layout();

        CharVocabulary.Extended ext = CharVocabulary.extend(base, tok, List.of("what is 2+2?", "Four!"));
        Tokenizer grown = ext.tokenizer();
        assertEquals(List.of(0x03, (int) '!', (int) '+', (int) '2', (int) '?', (int) 'F', (int) 'a', (int) 's'), ext.added());
        assertEquals(V + 8, grown.vocabSize());
        assertEquals(grown.encode("\u0003")[0], grown.endOfText().orElseThrow());
        assertEquals(V + 8, ext.model().vocabSize());

        float[] after = logits(ext.model(), grown, PROMPT);
        int V2 = grown.vocabSize();
        float largest = 0;
        for (float v : before) {
            largest = Math.max(largest, Math.abs(v));
        }
        for (int t = 0; t < PROMPT.length(); t++) {
            for (int id = 0; id < V; id++) {
                int moved = grown.encode(tok.decode(id))[0];
                assertEquals(before[t * V + id], after[t * V2 + moved], 1e-5f * largest, "position " + t + ", token " + tok.decode(id));
            }
        }

        // a new token's rows in every vocabulary-sized parameter are the mean of the old tokens' rows
        float[] params = download(ext.model());
        int newId = grown.encode("F")[0];
        int checked = 0;
        for (ParameterLayout.Entry e : ext.model().layout().entries()) {
            ParameterLayout.Entry old = baseLayout.find(e.name());
            if (old.size() == e.size()) {
                continue;
            }
            int width = Math.toIntExact(old.size() / V);
            for (int j = 0; j < width; j++) {
                double mean = 0;
                for (int id = 0; id < V; id++) {
                    mean += baseParams[(int) old.offset() + id * width + j] / V;
                }
                assertEquals(mean, params[(int) e.offset() + newId * width + j], 1e-6, e.name() + " column " + j);
            }
            checked++;
        }
        assertEquals(family.equals("course") ? 3 : 1, checked, "wte, and an untied head's weight and bias");
    }

    @Test
    void aVocabularyThatHasEverythingIsKept() throws Exception {
        CharTokenizer tok = CharTokenizer.fit(BASE_TEXT + "\u0003");
        LanguageModel base = Models.create(Models.JSON.readTree(config("gpt2", tok.vocabSize())), new CpuBackend());
        CharVocabulary.Extended ext = CharVocabulary.extend(base, tok, List.of("hello", "world"));
        assertSame(base, ext.model());
        assertSame(tok, ext.tokenizer());
        assertTrue(ext.added().isEmpty());
    }
}
