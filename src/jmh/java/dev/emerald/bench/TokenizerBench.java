package dev.emerald.bench;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.emerald.data.Corpora;
import dev.emerald.data.TextFile;
import dev.emerald.data.bpe.Bpe;
import dev.emerald.data.bpe.OpenAiFiles;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding throughput of GPT-2's tokenizer: Emerald's byte-level BPE against JTokkit's r50k_base (the same ids,
 * see Gpt2EncodingTest) on the same text, exactly 1 MiB of UTF-8: Tom Sawyer, then the King James Bible (both
 * from data/corpora, fetched if missing). One operation encodes the whole MiB, so ops/s reads as MiB/s.
 *
 * <p>{@code calls}: {@code whole} encodes the MiB in one call (a corpus), {@code lines} line by line (prompts,
 * chat turns). {@code cache}: Emerald keeps a word cache per thread; {@code warm} encodes on the benchmark thread,
 * whose cache knows the text from earlier operations, {@code cold} on a fresh virtual thread each time, so every
 * word is new at first, as for a text never seen. JTokkit has no cache; it runs the same way for a fair timing.
 *
 * <p>Run: {@code bin/jmh Tokenizer}, which prints each result's ratio to the {@code baseline} in the same run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class TokenizerBench {
    private static final int MIB = 1 << 20;

    @Param({"whole", "lines"})
    public String calls;

    @Param({"cold", "warm"})
    public String cache;

    private String text;
    private String[] lines;
    private Bpe emerald;
    private Encoding jtokkit;

    @Setup
    public void setup() {
        String prose = TextFile.read(Corpora.fetch(Corpora.TOM_SAWYER.name(), Corpora.DEFAULT_DIR))
                + TextFile.read(Corpora.fetch(Corpora.BIBLE.name(), Corpora.DEFAULT_DIR));
        text = firstMiB(prose);
        lines = text.split("(?<=\n)");
        emerald = OpenAiFiles.gpt2();
        jtokkit = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
    }

    /** The longest prefix of whole characters within 1 MiB of UTF-8, padded with spaces to exactly 1 MiB. */
    private static String firstMiB(String s) {
        int bytes = 0, end = 0;
        while (end < s.length()) {
            int cp = s.codePointAt(end);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > MIB) {
                break;
            }
            bytes += n;
            end += Character.charCount(cp);
        }
        return s.substring(0, end) + " ".repeat(MIB - bytes);
    }

    /** The number of tokens of the MiB, encoded as {@code calls} and {@code cache} say. */
    private int tokens(ToIntFunction<String> encode) throws Exception {
        Callable<Integer> work = () -> {
            if (calls.equals("whole")) {
                return encode.applyAsInt(text);
            }
            int n = 0;
            for (String line : lines) {
                n += encode.applyAsInt(line);
            }
            return n;
        };
        if (cache.equals("warm")) {
            return work.call();
        }
        FutureTask<Integer> task = new FutureTask<>(work);
        Thread.ofVirtual().start(task);
        return task.get();
    }

    @Benchmark
    public int emerald() throws Exception {
        return tokens(t -> emerald.encode(t).length);
    }

    @Benchmark
    public int baseline_jtokkit() throws Exception {
        return tokens(t -> jtokkit.encodeOrdinary(t).size());
    }
}
