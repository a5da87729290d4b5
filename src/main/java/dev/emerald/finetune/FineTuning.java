package dev.emerald.finetune;

import dev.emerald.data.CharTokenizer;
import dev.emerald.data.Tokenizer;
import dev.emerald.data.bpe.Bpe;
import dev.emerald.model.LanguageModel;
import dev.emerald.util.UserException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A model set up to learn prompt/completion pairs: its tokenizer holds the end token and every character of the pairs. */
public record FineTuning(LanguageModel model, Tokenizer tokenizer, PairSet pairs, List<Integer> addedCharacters) {

    /**
     * A new fine-tuning of base on the pairs of file. A character-level base gains the characters it lacks (see
     * {@link CharVocabulary}); a BPE one must have {@value Bpe#END_OF_TEXT}.
     */
    public static FineTuning start(LanguageModel base, Tokenizer tokenizer, Path file, List<Pair> pairs, double valFraction) {
        List<String> texts = new ArrayList<>();
        pairs.forEach(p -> texts.addAll(List.of(p.prompt(), p.completion())));
        CharVocabulary.Extended ext = tokenizer instanceof CharTokenizer chars ? CharVocabulary.extend(base, chars, texts)
                : new CharVocabulary.Extended(base, tokenizer, List.of());
        return new FineTuning(ext.model(), ext.tokenizer(), pairs(ext.model(), ext.tokenizer(), file, pairs, valFraction), ext.added());
    }

    /** The pairs of file for model, whose tokenizer has the end token (a fine-tuning run being resumed). */
    public static PairSet pairs(LanguageModel model, Tokenizer tokenizer, Path file, List<Pair> pairs, double valFraction) {
        int end = tokenizer.endOfText().orElseThrow(() -> new UserException("the base model's tokenizer has no end-of-text token ("
                + Bpe.END_OF_TEXT + "), which fine-tuning appends to every completion so that generation stops there:"
                + " fine-tune a model whose tokenizer has one"));
        return new PairSet(file.toString(), pairs, tokenizer, end, model.blockSize(), valFraction);
    }
}
