package dev.plinth.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what a logger (and its children) publishes, each record rendered by the test's
 * function, while installed: {@code try (var logs = LogCapture.on("dev.plinth", LogRecord::getMessage)) {…}}.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final Function<LogRecord, String> render;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger, Function<LogRecord, String> render) {
        this.logger = logger;
        this.render = render;
    }

    /** Installs a capture on the named logger ({@code ""}: the root). */
    public static LogCapture on(String loggerName, Function<LogRecord, String> render) {
        var capture = new LogCapture(Logger.getLogger(loggerName), render);
        capture.logger.addHandler(capture);
        return capture;
    }

    /** What was captured so far, in order. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void publish(LogRecord r) {
        lines.add(render.apply(r));
    }

    @Override
    public void flush() {}

    /** Uninstalls the capture. */
    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
