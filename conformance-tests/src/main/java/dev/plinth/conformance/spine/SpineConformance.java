package dev.plinth.conformance.spine;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plinth conformance --url …}: the spine suite against a running Plinth, ending with "N passed, N failed". */
@Command(name = "plinth conformance", mixinStandardHelpOptions = true,
        description = "Black-box acceptance checks of Plinth's spine against a base URL.")
public final class SpineConformance implements Callable<Integer> {

    @Option(names = "--url", required = true, description = "Plinth's base URL, e.g. http://127.0.0.1:8080")
    URI url;

    @Option(names = "--token-command", required = true,
            description = "a shell command printing a bearer token for the user id in {user}, e.g. './plinth token {user}'")
    String tokenCommand;

    @Option(names = "--restart-command",
            description = "a shell command that restarts the service (the suite then waits for /health/ready); "
                    + "without it the restart checks are reported as not run")
    String restartCommand;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SpineConformance()).execute(args));
    }

    @Override
    public Integer call() {
        var cache = new ConcurrentHashMap<String, String>();
        var suite = new SpineSuite(url, user -> cache.computeIfAbsent(user, u -> shell(tokenCommand.replace("{user}", u))),
                restartCommand == null ? null : () -> shell(restartCommand), System.out);
        List<SpineSuite.Result> results = suite.run();
        return report(results, System.out) ? 0 : 1;
    }

    /** Prints the closing line; true when nothing failed. */
    public static boolean report(List<SpineSuite.Result> results, java.io.PrintStream out) {
        long passed = results.stream().filter(r -> r.outcome() == SpineSuite.Outcome.PASSED).count();
        long failed = results.stream().filter(r -> r.outcome() == SpineSuite.Outcome.FAILED).count();
        long notRun = results.stream().filter(r -> r.outcome() == SpineSuite.Outcome.NOT_RUN).count();
        results.stream().filter(r -> r.outcome() == SpineSuite.Outcome.NOT_RUN)
                .forEach(r -> out.println("NOT RUN " + r.check() + " — " + r.detail()));
        out.printf("%d passed, %d failed%s%n", passed, failed, notRun == 0 ? "" : ", " + notRun + " not run");
        return failed == 0;
    }

    private static String shell(String command) {
        try {
            Process p = new ProcessBuilder("bash", "-c", command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("'" + command + "' failed (exit " + p.exitValue() + ")");
            }
            String[] lines = out.split("\n");
            return lines[lines.length - 1].strip();
        } catch (IOException e) {
            throw new IllegalStateException("'" + command + "' could not start: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
