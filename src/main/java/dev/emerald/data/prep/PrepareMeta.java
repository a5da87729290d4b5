package dev.emerald.data.prep;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.emerald.io.AtomicFile;
import dev.emerald.model.Models;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * meta.json of a prepared directory: what was read ({@code documents}, {@code bytes} of UTF-8 text, the inputs),
 * what was written ({@code tokens}, per split too), what was skipped and why, and the fingerprint of inputs and
 * settings that tells a re-run the work is already done.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PrepareMeta(int version, String tokenizer, int vocabSize, int tokenBytes, int endOfText, double valFraction,
                          long documents, long bytes, long tokens, Split train, Split val, long files, long skippedCount,
                          List<Skip> skipped, List<Input> inputs, String fingerprint) {
    public static final int VERSION = 1;
    /** meta.json lists this many skipped files at most; skipped_count has them all. */
    static final int MAX_SKIPPED_LISTED = 1000;

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Split(long documents, long bytes, long tokens) {
    }

    public record Skip(String name, String reason) {
    }

    public record Input(String path, long bytes) {
    }

    void write(Path file) {
        try {
            AtomicFile.writeBytes(file, Models.JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(this));
        } catch (IOException e) {
            throw new IllegalStateException("meta.json always serialises", e);
        }
    }

    static PrepareMeta read(Path file) {
        try {
            return Models.JSON.readValue(file.toFile(), PrepareMeta.class);
        } catch (IOException e) {
            throw new UserException(file + " is damaged (" + e.getMessage().lines().findFirst().orElse("") + "): run 'emerald prepare'"
                    + " again into a new --out, or with --overwrite", e);
        }
    }
}
