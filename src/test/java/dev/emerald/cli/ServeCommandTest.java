package dev.emerald.cli;

import dev.emerald.api.TinyModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import static dev.emerald.cli.Cli.assertBadInput;
import static dev.emerald.cli.Cli.run;

/** {@code emerald serve} refuses bad settings in one line before it listens (serving itself: ServerTest). */
class ServeCommandTest {

    @Test
    void badSettingsAndABusyPortSayWhatIsWrong(@TempDir Path tmp) throws Exception {
        assertBadInput(run("serve", "--model", tmp.resolve("none").toString()), "no checkpoint", "--out");
        Path model = TinyModel.checkpoint(tmp.resolve("tiny"));
        String m = model.toString();
        assertBadInput(run("serve", "--model", m, "--port", "70000"), "--port", "0..65535");
        assertBadInput(run("serve", "--model", m, "--parallel", "0"), "--parallel");
        assertBadInput(run("serve", "--model", m, "--queue", "-1"), "--queue");
        assertBadInput(run("serve", "--model", m, "--max-request-bytes", "0"), "--max-request-bytes");
        assertBadInput(run("serve", "--model", m, "--temperature", "-1"), "--temperature", "0 (greedy) or positive");
        assertBadInput(run("serve", "--model", m, "--stop", ""), "--stop", "must not be empty");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertBadInput(run("serve", "--model", m, "--device", "cpu", "--port", String.valueOf(taken.getLocalPort())),
                    "cannot listen on 127.0.0.1:" + taken.getLocalPort(), "--port");
        }
    }
}
