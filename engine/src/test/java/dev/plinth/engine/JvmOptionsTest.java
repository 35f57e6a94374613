package dev.plinth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The tests run with the service's JVM options (bootstrap/jvm.options through surefire's
 * argLine), so what they load and measure is what a replica loads: without the file's
 * -XX:-DontCompileHugeMethods, Chicory's module validator stays interpreted.
 */
class JvmOptionsTest {

    @Test
    void theTestJvmRunsWithTheServicesOptions() throws Exception {
        Path options = Path.of(System.getProperty("plinth.root", "..")).resolve("bootstrap/jvm.options");
        assertThat(Files.readAllLines(options)).contains("-XX:-DontCompileHugeMethods");
        var hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        assertThat(hotspot.getVMOption("DontCompileHugeMethods").getValue())
                .as("huge methods (Chicory's validator) are JIT-compiled in this JVM").isEqualTo("false");
    }
}
