package dev.emerald.data.prep;

import dev.emerald.data.Tokenizer;
import dev.emerald.data.shard.ShardHeader;
import dev.emerald.io.FileTrees;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What is at --out already: nothing (or an empty directory), the finished result of the same work, or something to keep. */
final class OutputDir {
    private OutputDir() {
    }

    /**
     * The meta.json of a finished run of the same work (same fingerprint, all files complete), which makes this run
     * a no-op; null if the directory is to be written. Anything else there is an error unless it is prepared data
     * and {@code overwrite} is set.
     */
    static PrepareMeta finished(Path out, String fingerprint, boolean overwrite) {
        if (!Files.exists(out) || FileTrees.isEmptyDirectory(out)) {
            return null;
        }
        if (!Files.isDirectory(out) || !Files.isRegularFile(out.resolve(Prepare.META))) {
            throw new UserException(out + " exists and is not a prepared data directory (no " + Prepare.META
                    + "): choose a new or empty --out");
        }
        PrepareMeta meta = PrepareMeta.read(out.resolve(Prepare.META));
        if (fingerprint.equals(meta.fingerprint()) && complete(out, meta)) {
            return meta;
        }
        if (!overwrite) {
            throw new UserException(out + " holds data prepared from other inputs or settings: pass --overwrite to replace it"
                    + " (it is kept until the new data is complete), or choose another --out");
        }
        return null;
    }

    /** Every file is there with the size its header and meta.json promise. */
    private static boolean complete(Path out, PrepareMeta meta) {
        try {
            long width = meta.tokenBytes();
            return meta.train() != null && meta.val() != null && Files.isRegularFile(out.resolve(Tokenizer.FILE_NAME))
                    && Files.size(out.resolve(Prepare.TRAIN)) == ShardHeader.BYTES + width * meta.train().tokens()
                    && Files.size(out.resolve(Prepare.VAL)) == ShardHeader.BYTES + width * meta.val().tokens();
        } catch (IOException e) {
            return false;
        }
    }
}
