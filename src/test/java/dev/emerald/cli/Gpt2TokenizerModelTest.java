package dev.emerald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.data.Tokenizer;
import dev.emerald.io.SafeTensors;
import dev.emerald.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static dev.emerald.cli.Cli.assertBadInput;
import static dev.emerald.cli.Cli.assertOk;
import static dev.emerald.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model trained with GPT-2's tokenizer generates, and {@code info} describes it; the same weights exported
 * to a Hugging Face GPT-2 directory (Conv1D layout, vocab.json + merges.txt) generate the same text.
 */
class Gpt2TokenizerModelTest {
    private static final String[] TINY = {"--preset", "baby", "--n-layer", "1", "--n-embd", "16", "--n-head", "2",
            "--block-size", "8", "--batch-size", "2", "--steps", "3", "--eval-interval", "3", "--eval-iters", "1",
            "--sample-tokens", "5"};
    private static final Pattern CONV1D = Pattern.compile("h\\.\\d+\\.(attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp\\.c_proj)\\.weight");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path trainTiny() throws IOException {
        Path corpus = Files.writeString(tmp.resolve("corpus.txt"), "Tom said: \"Huck's raft is ready.\"<|endoftext|>\n".repeat(60));
        Path dir = tmp.resolve("run");
        List<String> args = new ArrayList<>(List.of("train", "--tokenizer", "gpt2", "--corpus", corpus.toString(), "--out", dir.toString()));
        args.addAll(List.of(TINY));
        String out = assertOk(run(args.toArray(String[]::new)));
        assertTrue(out.contains("bpe vocabulary 50257"), out);
        return dir;
    }

    /** The weights' element count, summed over the tensors of a safetensors file (mask buffers are not written). */
    private static long elements(Path file) {
        try (SafeTensors.Reader r = SafeTensors.Reader.open(file)) {
            return r.tensors().stream().mapToLong(SafeTensors.TensorInfo::elements).sum();
        }
    }

    /** Writes a gpt2-family checkpoint as Hugging Face lays out GPT-2: its config keys, Conv1D (in, out) weights, vocab.json + merges.txt. */
    private static Path toHuggingFace(Path checkpoint, Path hf) throws IOException {
        Files.createDirectories(hf);
        JsonNode c = JSON.readTree(checkpoint.resolve(Checkpoint.CONFIG).toFile());
        ObjectNode config = JSON.createObjectNode().put("model_type", "gpt2").put("activation_function", "gelu_new")
                .put("vocab_size", c.get("vocab_size").asInt()).put("n_positions", c.get("block_size").asInt())
                .put("n_embd", c.get("n_embd").asInt()).put("n_layer", c.get("n_layer").asInt()).put("n_head", c.get("n_head").asInt())
                .put("layer_norm_epsilon", 1e-5).put("tie_word_embeddings", true);
        JSON.writeValue(hf.resolve("config.json").toFile(), config);
        List<SafeTensors.Entry> entries = new ArrayList<>();
        try (SafeTensors.Reader r = SafeTensors.Reader.open(checkpoint.resolve(Checkpoint.MODEL))) {
            for (SafeTensors.TensorInfo t : r.tensors()) {
                float[] w = new float[Math.toIntExact(t.elements())];
                r.readFloats(t.name(), w, 0);
                String name = t.name().replaceFirst("^transformer\\.", "");
                long[] shape = t.shape();
                if (CONV1D.matcher(name).matches()) {
                    int out = (int) shape[0], in = (int) shape[1];
                    float[] transposed = new float[w.length];
                    for (int o = 0; o < out; o++) {
                        for (int i = 0; i < in; i++) {
                            transposed[i * out + o] = w[o * in + i];
                        }
                    }
                    w = transposed;
                    shape = new long[] {in, out};
                }
                entries.add(new SafeTensors.Entry(name, shape, w, 0, w.length));
            }
        }
        SafeTensors.write(hf.resolve("model.safetensors"), entries, Map.of("format", "pt"));
        for (String[] file : new String[][] {{"encoder.json", "vocab.json"}, {"vocab.bpe", "merges.txt"}}) {
            try (InputStream in = Gpt2TokenizerModelTest.class.getResourceAsStream("/tokenizers/gpt2/" + file[0])) {
                Files.copy(in, hf.resolve(file[1]));
            }
        }
        return hf;
    }

    @Test
    void aGpt2TokenizedModelGeneratesTheSameFromItsCheckpointAndAsAHuggingFaceDirectory() throws IOException {
        Path dir = trainTiny();
        assertEquals("bpe", Tokenizer.load(dir.resolve(Tokenizer.FILE_NAME)).kind());
        String[] generate = {"--prompt", "<|endoftext|>Tom said", "--max-new-tokens", "12", "--temperature", "0.8", "--seed", "5"};
        String ours = assertOk(run(Cli.concat(new String[] {"generate", "--model", dir.toString()}, generate)));
        assertTrue(ours.startsWith("<|endoftext|>Tom said") && ours.length() > "<|endoftext|>Tom said\n".length(), ours);

        Path hf = toHuggingFace(dir, tmp.resolve("hf"));
        assertEquals(ours, assertOk(run(Cli.concat(new String[] {"generate", "--model", hf.toString()}, generate))));

        String info = assertOk(run("info", dir.toString()));
        String hfInfo = assertOk(run("info", hf.toString()));
        String parameters = String.format("parameters: %,d%n", elements(dir.resolve(Checkpoint.MODEL)));
        for (String shown : new String[] {info, hfInfo}) {
            assertTrue(shown.contains(parameters), shown);
            assertTrue(shown.contains("tokenizer: bpe, 50,257 tokens; special: <|endoftext|> (50256)"), shown);
            assertTrue(shown.contains("  n_layer: 1\n") && shown.contains("  vocab_size: 50257\n"), shown);
        }
        assertTrue(info.contains("(Emerald checkpoint)") && hfInfo.contains("(Hugging Face GPT-2)"), info + hfInfo);
    }

    @Test
    void aResumedRunKeepsItsTokenizer() throws IOException {
        Path dir = trainTiny();
        assertBadInput(run("train", "--resume", "--out", dir.toString(), "--steps", "6", "--tokenizer", "char"),
                "--tokenizer cannot change when resuming");
    }

    @Test
    void infoOfACharacterModel() throws IOException {
        Path corpus = Files.writeString(tmp.resolve("c.txt"), "abcabcabd\n".repeat(30));
        Path dir = tmp.resolve("char");
        assertOk(run(Cli.concat(new String[] {"train", "--corpus", corpus.toString(), "--out", dir.toString()}, TINY)));
        String info = assertOk(run("info", dir.toString()));
        assertTrue(info.contains("tokenizer: char, 5 tokens\n"), info);
        assertTrue(info.contains(String.format("parameters: %,d%n", elements(dir.resolve(Checkpoint.MODEL)))), info);
        assertBadInput(run("info", tmp.resolve("nothing").toString()), "no checkpoint");
    }
}
