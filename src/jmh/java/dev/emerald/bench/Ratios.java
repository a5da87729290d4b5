package dev.emerald.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * JMH's command line (what bin/jmh runs), then each result's ratio to the benchmark of the same class and
 * parameters whose method name starts with "baseline": a speed target is read from one run on one machine.
 */
public final class Ratios {
    private static final Set<String> LISTING = Set.of("-h", "-l", "-lp", "-lrf", "-lprof");

    private Ratios() {
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException, IOException {
        if (List.of(args).stream().anyMatch(LISTING::contains)) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
        List<String> lines = new ArrayList<>();
        for (RunResult r : results) {
            results.stream().filter(b -> method(b).startsWith("baseline") && b != r && group(b).equals(group(r))).findFirst()
                    .ifPresent(base -> lines.add(String.format("%-50s %6.2f x %s", group(r) + " " + method(r),
                            r.getPrimaryResult().getScore() / base.getPrimaryResult().getScore(), method(base))));
        }
        if (!lines.isEmpty()) {
            System.out.println("\nEach score as a multiple of its baseline's, same class and parameters, this run:");
            lines.forEach(System.out::println);
        }
    }

    /** The class's simple name and the parameters, e.g. "TokenizerBench calls=whole". */
    private static String group(RunResult r) {
        String name = r.getParams().getBenchmark();
        String cls = name.substring(0, name.lastIndexOf('.'));
        return cls.substring(cls.lastIndexOf('.') + 1) + r.getParams().getParamsKeys().stream()
                .map(k -> " " + k + "=" + r.getParams().getParam(k)).collect(Collectors.joining());
    }

    private static String method(RunResult r) {
        String name = r.getParams().getBenchmark();
        return name.substring(name.lastIndexOf('.') + 1);
    }
}
