package dev.emerald.examples;

import dev.emerald.api.EmeraldModel;
import dev.emerald.api.Generation;
import dev.emerald.api.Training;
import dev.emerald.generate.SamplingSettings;
import dev.emerald.train.Metrics;
import dev.emerald.train.Trainer;

import java.util.stream.Stream;

/** Emerald inside an application: train a small GPT from code, stream a completion, then generate from two threads at once. */
public final class Embed {
    /** The opening of The Adventures of Tom Sawyer (public domain). */
    private static final String TEXT = """
            "TOM!"
            No answer.
            "TOM!"
            No answer.
            "What's gone with that boy, I wonder? You TOM!"
            No answer.
            The old lady pulled her spectacles down and looked over them about the room; then she put them up and looked
            out under them. She seldom or never looked through them for so small a thing as a boy; they were her state
            pair, the pride of her heart, and were built for "style," not service--she could have seen through a pair of
            stove-lids just as well. She looked perplexed for a moment, and then said, not fiercely, but still loud enough
            for the furniture to hear:
            "Well, I lay if I get hold of you I'll--"
            She did not finish, for by this time she was bending down and punching under the bed with the broom, and so
            she needed breath to punctuate the punches with. She resurrected nothing but the cat.
            """;

    private Embed() {
    }

    public static void main(String[] args) {
        Trainer.Listener progress = new Trainer.Listener() {
            @Override
            public void onEval(Metrics m) {
                System.out.printf("step %3d: train loss %.3f, val loss %.3f%n", m.step(), m.trainLoss(), m.valLoss());
            }
        };
        try (EmeraldModel model = Training.preset("baby").text(TEXT.repeat(8))
                .set("n_layer", 2).set("n_head", 2).set("n_embd", 32).set("block_size", 32)
                .set("batch_size", 8).set("max_steps", 150).set("eval_interval", 50).set("eval_iters", 4)
                .set("learning_rate", 3e-3).set("warmup_steps", 10)
                .listener(progress).run()) {
            SamplingSettings settings = SamplingSettings.DEFAULTS.withTemperature(0.8f).withTopK(20).withMaxNewTokens(80).withSeed(7);

            System.out.print("--- streamed ---\n\"TOM!\"");
            try (Stream<String> pieces = model.stream("\"TOM!\"", settings)) {
                pieces.forEach(System.out::print);
            }

            // one model, two threads: the generations take turns token by token
            Generation first = model.start("She ", settings, piece -> { });
            Generation second = model.start("The old lady ", settings.withSeed(8), piece -> { });
            System.out.println("\n--- from two threads ---");
            System.out.println("She " + first.join().text());
            System.out.println("The old lady " + second.join().text());
        }
    }
}
