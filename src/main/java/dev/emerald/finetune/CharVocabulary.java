package dev.emerald.finetune;

import dev.emerald.backend.Backend;
import dev.emerald.data.CharTokenizer;
import dev.emerald.data.Tokenizer;
import dev.emerald.model.Gpt;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.ParameterLayout;
import dev.emerald.util.UserException;

import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Grows a character-level GPT's vocabulary by the characters fine-tuning needs and it lacks: the end token
 * U+0003, the one {@code emerald prepare} uses, and the pairs' new characters. Ids follow the code points, so
 * old tokens move to their new ids with their rows of the token embedding (and of an untied LM head); a new
 * token's rows start as the mean of the old ones, so its logits start as an average token's. The model's
 * predictions among its old tokens are unchanged.
 */
final class CharVocabulary {

    /** The model and tokenizer to fine-tune, and the characters added (empty when none were missing). */
    record Extended(LanguageModel model, Tokenizer tokenizer, List<Integer> added) {
    }

    private CharVocabulary() {
    }

    /** model with every character of texts and the end token in its vocabulary (model itself when none is missing). */
    static Extended extend(LanguageModel model, CharTokenizer tokenizer, List<String> texts) {
        int V = model.vocabSize();
        int[] old = IntStream.range(0, V).map(id -> tokenizer.decode(id).codePointAt(0)).toArray();
        TreeSet<Integer> all = new TreeSet<>();
        Arrays.stream(old).forEach(all::add);
        TreeSet<Integer> missing = new TreeSet<>();
        missing.add(CharTokenizer.END_OF_TEXT);
        texts.forEach(t -> t.codePoints().forEach(missing::add));
        missing.removeAll(all);
        if (missing.isEmpty()) {
            return new Extended(model, tokenizer, List.of());
        }
        if (!(model instanceof Gpt gpt)) {
            throw new UserException("the base model lacks " + missing.size() + " characters the pairs need (the end token among them"
                    + " when it is missing), and only a GPT's vocabulary can be extended: fine-tune a GPT");
        }
        all.addAll(missing);
        CharTokenizer grown = CharTokenizer.of(all.stream().mapToInt(Integer::intValue).toArray());
        int[] newId = Arrays.stream(old).map(cp -> grown.encode(Character.toString(cp))[0]).toArray();
        return new Extended(grow(gpt, newId, grown.vocabSize()), grown, List.copyOf(missing));
    }

    /**
     * A copy of gpt with vocabulary V2, old token i at newId[i]; rows of new tokens are the mean of the old rows.
     * gpt's parameters go back to the backend: only the copy is used from here on.
     */
    private static Gpt grow(Gpt gpt, int[] newId, int V2) {
        Backend backend = gpt.backend();
        Gpt grown = new Gpt(gpt.config().withVocabSize(V2), backend);
        float[] from = new float[gpt.parameters().len()], to = new float[grown.parameters().len()];
        backend.download(gpt.parameters(), from);
        for (ParameterLayout.Entry e : grown.layout().entries()) {
            ParameterLayout.Entry o = gpt.layout().find(e.name());
            int src = Math.toIntExact(o.offset()), dst = Math.toIntExact(e.offset());
            if (o.size() == e.size()) {
                System.arraycopy(from, src, to, dst, Math.toIntExact(o.size()));
                continue;
            }
            int width = Math.toIntExact(o.size() / newId.length); // a (V, C) matrix's rows, or a (V) bias's entries
            float[] mean = new float[width];
            for (int i = 0; i < newId.length; i++) {
                System.arraycopy(from, src + i * width, to, dst + newId[i] * width, width);
                for (int j = 0; j < width; j++) {
                    mean[j] += from[src + i * width + j] / newId.length;
                }
            }
            boolean[] taken = new boolean[V2];
            Arrays.stream(newId).forEach(id -> taken[id] = true);
            for (int id = 0; id < V2; id++) {
                if (!taken[id]) {
                    System.arraycopy(mean, 0, to, dst + id * width, width);
                }
            }
        }
        backend.upload(grown.parameters(), to);
        backend.free(gpt.parameters());
        return grown;
    }
}
