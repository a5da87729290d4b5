package dev.emerald.data;

import dev.emerald.data.bpe.OpenAiFiles;
import dev.emerald.util.UserException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tokenizer a command's {@code --tokenizer} names: {@value #CHAR} (built from the training text), {@value #GPT2}
 * (bundled), a tokenizer.json file (Emerald's, or Hugging Face's byte-level BPE), or a directory holding one
 * (a checkpoint, a Hugging Face model) or GPT-2's vocabulary pair.
 */
public final class Tokenizers {
    public static final String CHAR = "char";
    public static final String GPT2 = "gpt2";

    private Tokenizers() {
    }

    /** A tokenizer that has a vocabulary already; {@value #CHAR} has none until it sees a text. */
    public static Tokenizer resolve(String spec) {
        if (spec.equals(CHAR)) {
            throw new UserException("the char tokenizer is built from a training text, so it cannot be used on its own here:"
                    + " use gpt2, a tokenizer.json file, or a model directory");
        }
        if (spec.equals(GPT2)) {
            return OpenAiFiles.gpt2();
        }
        Path path = Path.of(spec);
        if (Files.isDirectory(path)) {
            return fromDirectory(path);
        }
        if (Files.isRegularFile(path)) {
            return Tokenizer.load(path);
        }
        throw new UserException("tokenizer '" + spec + "' is neither char, gpt2, nor an existing file or directory:"
                + " give one of those (e.g. a file written by 'emerald tokenizer train')");
    }

    /** The tokenizer for training on {@code text}: {@value #CHAR} fits its characters, anything else as {@link #resolve(String)}. */
    public static Tokenizer resolve(String spec, String text) {
        return spec.equals(CHAR) ? CharTokenizer.fit(text) : resolve(spec);
    }

    /** A model directory's tokenizer: its tokenizer.json, else vocab.json + merges.txt (or encoder.json + vocab.bpe). */
    public static Tokenizer fromDirectory(Path dir) {
        if (Files.exists(dir.resolve(Tokenizer.FILE_NAME))) {
            return Tokenizer.load(dir.resolve(Tokenizer.FILE_NAME));
        }
        for (String[] pair : new String[][] {{"vocab.json", "merges.txt"}, {"encoder.json", "vocab.bpe"}}) {
            if (Files.exists(dir.resolve(pair[0])) && Files.exists(dir.resolve(pair[1]))) {
                return OpenAiFiles.read(dir.resolve(pair[0]), dir.resolve(pair[1]));
            }
        }
        throw new UserException(dir + " has no " + Tokenizer.FILE_NAME + " (nor vocab.json + merges.txt): it is not a"
                + " complete checkpoint or model directory; give the --out directory of a training run");
    }
}
