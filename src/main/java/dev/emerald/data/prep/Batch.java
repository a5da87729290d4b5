package dev.emerald.data.prep;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/** What one task of the pool produced, in input order: token pieces or the characters seen, files read, members skipped. */
final class Batch {
    /** A section's ids (the end-of-text token included where a document ends), the split it went to, its text's bytes. */
    record Piece(boolean validation, boolean startsDocument, int[] ids, long bytes) {
    }

    final List<Piece> pieces = new ArrayList<>();
    final List<PrepareMeta.Skip> skipped = new ArrayList<>();
    /** Code points seen, for the char vocabulary; set by the vocabulary pass only. */
    final BitSet characters = new BitSet();
    long files;
    long documents;
    long textBytes;

    void skip(String name, String reason) {
        skipped.add(new PrepareMeta.Skip(name, reason));
    }
}
