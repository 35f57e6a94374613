package dev.plinth.cli;

import dev.plinth.api.PlinthServer;
import dev.plinth.core.bootstrap.BootstrapConfig;
import dev.plinth.infra.LocalInfra;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plinth run}: serve, on the local emulator and Redis unless configured otherwise. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Start Plinth (and, by default, a local Firestore emulator and redis-server kept under .plinth/).")
final class RunCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--port", description = "HTTP port (default: PLINTH_PORT or 8080)")
    Integer port;

    @Override
    public Integer call() throws Exception {
        BootstrapConfig config = BootstrapConfig.fromEnvironment();
        if (port != null) {
            config = config.withPort(port);
        }
        if (config.logFormat().equals("json")) {
            for (java.util.logging.Handler h : java.util.logging.Logger.getLogger("").getHandlers()) {
                h.setFormatter(new dev.plinth.api.logging.JsonLogFormatter());
            }
        }
        LocalInfra[] infra = new LocalInfra[1];
        config = LocalStack.prepare(config, infra);
        PlinthServer server = PlinthServer.start(config);
        if (infra[0] != null) {
            LocalStack.registerLocalRedis(config, infra[0]);
        }
        var exports = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());
        if (infra[0] != null) {
            long every = config.exportInterval().toSeconds();
            exports.scheduleWithFixedDelay(() -> export(infra[0]), every, every, TimeUnit.SECONDS);
        }
        // So that `./plinth stop` stops this server too (first, while Firestore still answers its export).
        Path pidFile = ServerPid.file(config);
        ServerPid.record(pidFile);
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("[plinth] shutting down");
            ServerPid.forget(pidFile);
            exports.shutdownNow();
            if (infra[0] != null) {
                export(infra[0]);
                System.err.println("[plinth] the local Firestore emulator and redis-server keep running; ./plinth stop stops them");
            }
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("[plinth] error while stopping: " + e);
            }
            stopped.countDown();
        }, "plinth-shutdown"));
        System.out.println("Plinth serves on http://" + config.host() + ":" + server.port()
                + "  (try: curl http://" + config.host() + ":" + server.port() + "/health/ready)");
        System.out.flush();
        stopped.await();
        return 0;
    }

    private static void export(LocalInfra infra) {
        try {
            infra.exportFirestore();
        } catch (Exception e) {
            System.err.println("[plinth] Firestore export failed (data since the last export is at risk on stop): " + e.getMessage());
        }
    }
}
