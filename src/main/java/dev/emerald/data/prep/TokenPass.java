package dev.emerald.data.prep;

import dev.emerald.data.Tokenizer;

import java.util.Arrays;

/** Encodes each section, adds the end-of-text token where a document ends, and picks the section's split. */
final class TokenPass implements Processor {
    private final Tokenizer tokenizer;
    private final int endOfText;
    private final boolean chars;
    private final double valFraction;

    /** @param chars whether the tokenizer is the char one, whose end-of-text character is taken out of the text */
    TokenPass(Tokenizer tokenizer, int endOfText, boolean chars, double valFraction) {
        this.tokenizer = tokenizer;
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
        // their text is ordinary text here: a web page quoting <|endoftext|> does not end its document
        int[] ids = tokenizer.encode(text, false);
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
