package dev.plinth.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plinth.testing.TestInfra;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * A port another process holds fails the start with a reason (Helidon itself only logs it
 * and serves nothing, reporting port -1).
 */
class PortInUseTest {

    @Test
    void aPortInUseFailsTheStartAndNamesIt() throws Exception {
        try (var taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            var config = TestPlinth.config(TestInfra.newProjectId(PortInUseTest.class), Files.createTempDirectory("plinth-port"),
                    TestInfra.shared().firestoreHost(), taken.getLocalPort());
            assertThatThrownBy(() -> PlinthServer.start(config).close())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }
}
