package dev.emerald.serve;

import com.sun.net.httpserver.HttpServer;
import dev.emerald.api.EmeraldModel;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP server with the OpenAI-style endpoints local tools call, over one loaded model: the JDK's HttpServer,
 * each request on a virtual thread of its own. See {@link Routes} and {@link Completions}.
 */
public final class Server implements AutoCloseable {
    /** How long a stop waits for requests to finish answering before it closes their connections. */
    private static final int STOP_GRACE_SECONDS = 5;

    private final HttpServer http;
    private final ExecutorService executor;
    private final Routes routes;

    private Server(HttpServer http, ExecutorService executor, Routes routes) {
        this.http = http;
        this.executor = executor;
        this.routes = routes;
    }

    /** Listens on settings' host and port and serves model until {@link #close}. */
    public static Server start(EmeraldModel model, ServerSettings settings) {
        InetSocketAddress address;
        try {
            address = new InetSocketAddress(InetAddress.getByName(settings.host()), settings.port());
        } catch (UnknownHostException e) {
            throw new UserException("unknown host '" + settings.host() + "': give an address this machine has, e.g. 127.0.0.1 or 0.0.0.0", e);
        }
        HttpServer http;
        try {
            http = HttpServer.create(address, 0);
        } catch (IOException e) {
            throw new UserException("cannot listen on " + settings.host() + ":" + settings.port() + " (" + e.getMessage()
                    + "): choose another --port (0 takes any free one) or stop what uses it", e);
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        http.setExecutor(executor);
        Routes routes = new Routes(model, settings);
        http.createContext("/", routes);
        http.start();
        return new Server(http, executor, routes);
    }

    /** Where it listens (the port chosen when asked for 0). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /**
     * Stops: running completions end at their next token (finish reason "cancelled", a stream with its last chunk and
     * [DONE]), waiting requests are answered 503, and after a few seconds at most the connections are closed.
     */
    @Override
    public void close() {
        routes.stop();
        http.stop(STOP_GRACE_SECONDS);
        executor.shutdownNow();
    }
}
