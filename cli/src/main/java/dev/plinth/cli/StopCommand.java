package dev.plinth.cli;

import dev.plinth.core.bootstrap.BootstrapConfig;
import dev.plinth.infra.LocalInfra;
import java.util.function.Consumer;
import picocli.CommandLine.Command;

/** {@code plinth stop}: stop a server {@code plinth run} started on this home, export Firestore, then stop the local emulator and redis-server. */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Stop a server started by plinth run on this home, export the local Firestore data, then stop the local emulator and redis-server.")
final class StopCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        BootstrapConfig config = BootstrapConfig.fromEnvironment();
        Consumer<String> log = line -> System.err.println("[plinth] " + line);
        // The server drains before it stops (its own setting, the same variables): wait for that, and some.
        long wait = config.shutdown().drain().plus(config.shutdown().grace()).toSeconds() + ServerPid.STOP_MARGIN_SECONDS;
        ServerPid.stop(ServerPid.file(config), wait, log);
        LocalInfra.stopIfRunning(config.home(), config.firestoreProject(), log);
        return 0;
    }
}
