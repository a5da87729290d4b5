package dev.emerald.data.prep;

import dev.emerald.data.Dataset;
import dev.emerald.data.Tokenizer;
import dev.emerald.data.shard.MappedTokens;
import dev.emerald.util.UserException;

import java.nio.file.Files;
import java.nio.file.Path;

/** A directory written by {@code emerald prepare}, opened for training: its tokenizer and its two shards, memory-mapped. */
public final class PreparedData implements AutoCloseable {
    private final Path dir;
    private final PrepareMeta meta;
    private final Tokenizer tokenizer;
    private final MappedTokens train;
    private final MappedTokens val;

    private PreparedData(Path dir, PrepareMeta meta, Tokenizer tokenizer, MappedTokens train, MappedTokens val) {
        this.dir = dir;
        this.meta = meta;
        this.tokenizer = tokenizer;
        this.train = train;
        this.val = val;
    }

    public static PreparedData open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UserException("prepared data directory " + dir + " does not exist: write it first with 'emerald prepare INPUT... --out " + dir + "'");
        }
        if (!Files.isRegularFile(dir.resolve(Prepare.META))) {
            throw new UserException(dir + " has no " + Prepare.META + ": it is not a directory written by 'emerald prepare'; give the --out of a finished prepare");
        }
        PrepareMeta meta = PrepareMeta.read(dir.resolve(Prepare.META));
        Tokenizer tokenizer = Tokenizer.load(dir.resolve(Tokenizer.FILE_NAME));
        MappedTokens train = null;
        MappedTokens val = null;
        try {
            train = MappedTokens.open(dir.resolve(Prepare.TRAIN));
            val = MappedTokens.open(dir.resolve(Prepare.VAL));
            checkVocabulary(dir, train, Prepare.TRAIN, tokenizer);
            checkVocabulary(dir, val, Prepare.VAL, tokenizer);
            return new PreparedData(dir, meta, tokenizer, train, val);
        } catch (RuntimeException e) {
            if (train != null) {
                train.close();
            }
            if (val != null) {
                val.close();
            }
            throw e;
        }
    }

    private static void checkVocabulary(Path dir, MappedTokens shard, String name, Tokenizer tokenizer) {
        if (shard.header().vocabSize() != tokenizer.vocabSize()) {
            throw new UserException(dir.resolve(name) + " holds ids of a vocabulary of " + shard.header().vocabSize() + " but "
                    + Tokenizer.FILE_NAME + " has " + tokenizer.vocabSize() + " tokens: the files come from different runs; prepare again");
        }
    }

    public PrepareMeta meta() {
        return meta;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The two shards as a dataset for a model of this context length. */
    public Dataset dataset(int blockSize) {
        return new Dataset(dir.toString(), train, val, blockSize);
    }

    @Override
    public void close() {
        train.close();
        val.close();
    }
}
