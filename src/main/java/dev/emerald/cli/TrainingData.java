package dev.emerald.cli;

import dev.emerald.data.Corpora;
import dev.emerald.data.Dataset;
import dev.emerald.data.TextFile;
import dev.emerald.data.Tokenizer;
import dev.emerald.data.Tokenizers;
import dev.emerald.data.prep.PreparedData;
import dev.emerald.train.TrainState;
import dev.emerald.util.UserException;

import java.nio.file.Path;

/**
 * What {@code train} reads: a text held in memory and split at its tail (--corpus), or the token shards of a
 * directory written by {@code emerald prepare}, mapped from disk (--data). Closing unmaps the shards.
 */
final class TrainingData implements AutoCloseable {
    private final Path corpusFile;
    private final String text;
    private final Path dataDir;
    private final PreparedData prepared;
    private final double valFraction;

    private TrainingData(Path corpusFile, String text, Path dataDir, PreparedData prepared, double valFraction) {
        this.corpusFile = corpusFile;
        this.text = text;
        this.dataDir = dataDir;
        this.prepared = prepared;
        this.valFraction = valFraction;
    }

    static TrainingData corpus(String nameOrPath, double valFraction) {
        Path file = Corpora.resolve(nameOrPath, Corpora.DEFAULT_DIR);
        return new TrainingData(file, TextFile.read(file), null, null, valFraction);
    }

    static TrainingData prepared(Path dir) {
        PreparedData data = PreparedData.open(dir);
        return new TrainingData(null, null, dir, data, data.meta().valFraction());
    }

    /** A new run's tokenizer: prepared data's own, or for a text the one {@code spec} names (default char, made from the text). */
    Tokenizer tokenizer(String spec) {
        if (prepared == null) {
            return Tokenizers.resolve(spec != null ? spec : Tokenizers.CHAR, text);
        }
        if (spec != null) {
            throw new UserException("--tokenizer does not apply to --data: the data was tokenized by 'emerald prepare' and keeps"
                    + " its " + Tokenizer.FILE_NAME + "; leave --tokenizer out");
        }
        return prepared.tokenizer();
    }

    /** A resumed run keeps its tokenizer, so prepared data must have been tokenized with that same one. */
    void checkTokenizer(Tokenizer run, Path checkpoint) {
        if (prepared != null && !prepared.tokenizer().toJson().equals(run.toJson())) {
            throw new UserException(dataDir + " was prepared with another tokenizer than the run in " + checkpoint
                    + " uses: resume with the data it was trained on, or prepare the data with --tokenizer "
                    + checkpoint.resolve(Tokenizer.FILE_NAME));
        }
    }

    Dataset dataset(Tokenizer tokenizer, int blockSize) {
        if (prepared != null) {
            return prepared.dataset(blockSize);
        }
        // the user's own text: their special tokens' text (e.g. <|endoftext|> between documents) means those tokens
        return new Dataset(corpusFile.toString(), tokenizer.encode(text, true), valFraction, blockSize);
    }

    TrainState.Source source() {
        return prepared != null ? TrainState.Source.prepared(dataDir.toString(), valFraction)
                : TrainState.Source.corpus(corpusFile.toString(), valFraction);
    }

    /** The corpus file or the data directory, for messages. */
    String name() {
        return prepared != null ? dataDir.toString() : corpusFile.toString();
    }

    @Override
    public void close() {
        if (prepared != null) {
            prepared.close();
        }
    }
}
