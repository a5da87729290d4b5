package dev.emerald.data.prep;

import dev.emerald.data.Tokenizer;

import java.util.Arrays;

/** Encodes each section, adds the end-of-text token where a document ends, and picks the section's split. */
final class TokenPass implements Processor {
    private final ThreadLocal<Tokenizer.Encoder> encoders;
    private final int endOfText;
    private final boolean chars;
    private final double valFraction;

    /** @param chars whether the tokenizer is the char one, whose end-of-text character is taken out of the text */
    TokenPass(Tokenizer tokenizer, int endOfText, boolean chars, double valFraction) {
        this.encoders = ThreadLocal.withInitial(tokenizer::encoder);
        this.endOfText = endOfText;
        this.chars = chars;
        this.valFraction = valFraction;
    }

    @Override
    public void process(Section section, Batch out) {
        if (section.emptyDocument()) {
            return;
        }
        String text = chars ? CharText.clean(section.text()) : section.text();
        int[] ids = encoders.get().encode(text);
        if (section.last()) {
            ids = Arrays.copyOf(ids, ids.length + 1);
            ids[ids.length - 1] = endOfText;
        }
        out.textBytes += section.length();
        if (section.index() == 0) {
            out.documents++;
        }
        out.pieces.add(new Batch.Piece(DocumentSplit.isValidation(section.splitKey(), valFraction), section.index() == 0,
                ids, section.length()));
    }
}
