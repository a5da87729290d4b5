package dev.emerald.cli;

import dev.emerald.api.EmeraldModel;
import dev.emerald.backend.DeviceChoice;
import dev.emerald.serve.Server;
import dev.emerald.serve.ServerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code emerald serve}: an OpenAI-style HTTP server over a model, until Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serve a model over HTTP with OpenAI-style endpoints: POST /v1/completions, POST /v1/chat/completions"
                + " (\"stream\": true for server-sent events), GET /v1/models, GET /health. The sampling options are the"
                + " defaults of fields a request leaves out.")
final class ServeCommand implements Runnable {
    @Mixin
    Common common;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "checkpoint directory (a training run's --out)")
    Path model;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE})")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "N", description = "port to listen on; 0 = any free one (default: ${DEFAULT-VALUE})")
    int port = 8080;

    @Option(names = "--parallel", paramLabel = "N", description = "completions generated at once, token by token in turn (default: ${DEFAULT-VALUE})")
    int parallel = 4;

    @Option(names = "--queue", paramLabel = "N", description = "requests that may wait for a place; more are answered 503 (default: ${DEFAULT-VALUE})")
    int queue = 64;

    @Option(names = "--max-request-bytes", paramLabel = "N", description = "largest request body; longer ones are answered 413 (default: ${DEFAULT-VALUE})")
    int maxRequestBytes = 1 << 20;

    @Mixin
    SamplingOptions sampling;

    @Override
    public void run() {
        ServerSettings settings = new ServerSettings(host, port, parallel, queue, maxRequestBytes, sampling.settings());
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        CountDownLatch stop = new CountDownLatch(1);
        try (EmeraldModel m = EmeraldModel.load(model, DeviceChoice.parse(common.device));
             Server server = Server.start(m, settings)) {
            Signal.handle(new Signal("INT"), s -> stop.countDown());
            Signal.handle(new Signal("TERM"), s -> stop.countDown());
            InetSocketAddress at = server.address();
            out.printf("serving %s at http://%s:%d/v1 (%d at once, %d waiting at most); Ctrl-C stops%n", m.name(),
                    at.getAddress().getHostAddress(), at.getPort(), parallel, queue);
            stop.await();
            out.println("stopping: running completions end at their next token");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new Interrupted();
    }
}
