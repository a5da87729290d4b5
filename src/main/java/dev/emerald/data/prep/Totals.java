package dev.emerald.data.prep;

import dev.emerald.util.UserException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The counts of a pass, per split for the token pass, and the checks that the result is usable. */
final class Totals {
    static final class SplitTotals {
        long documents;
        long bytes;
        long tokens;

        PrepareMeta.Split split() {
            return new PrepareMeta.Split(documents, bytes, tokens);
        }
    }

    final SplitTotals train = new SplitTotals();
    final SplitTotals val = new SplitTotals();
    final List<PrepareMeta.Skip> skippedListed = new ArrayList<>();
    long skipped;
    long files;
    long documents;
    long bytes;

    void add(Batch batch, boolean splits) {
        files += batch.files;
        documents += batch.documents;
        bytes += batch.textBytes;
        skipped += batch.skipped.size();
        for (PrepareMeta.Skip s : batch.skipped) {
            if (skippedListed.size() < PrepareMeta.MAX_SKIPPED_LISTED) {
                skippedListed.add(s);
            }
        }
        if (splits) {
            for (Batch.Piece p : batch.pieces) {
                SplitTotals t = p.validation() ? val : train;
                t.documents += p.startsDocument() ? 1 : 0;
                t.bytes += p.bytes();
                t.tokens += p.ids().length;
            }
        }
    }

    Prepare.Progress progress(String pass, Pipeline pipeline, Inputs inputs, long started) {
        return new Prepare.Progress(pass, pipeline.inputRead(), inputs.bytes(), files, documents, bytes, (System.nanoTime() - started) / 1e9);
    }

    void checkNotEmpty(Inputs inputs) {
        if (documents > 0) {
            return;
        }
        String why = skippedListed.isEmpty() ? "they hold no .txt documents, or only empty ones"
                : skipped + " skipped, e.g. " + skippedListed.getFirst().name() + ": " + skippedListed.getFirst().reason();
        throw new UserException("no text found in " + inputs.paths().stream().map(Path::toString).toList() + " (" + why
                + "): give .txt files, folders of them, or .xz and .tar archives holding them");
    }

    void checkBothSplits(double valFraction) {
        if (train.tokens == 0 || val.tokens == 0) {
            throw new UserException("all the text (" + documents + " documents) went to the " + (val.tokens == 0 ? "training" : "validation")
                    + " split (each document's split is drawn from its name, with --val-fraction " + valFraction + "): give"
                    + " more documents, or change --val-fraction");
        }
    }
}
