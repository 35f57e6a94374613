package dev.plinth.api.logging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per line, as Cloud Logging and Kubernetes log collectors read them:
 * {@code time}, {@code severity} (Cloud Logging's name for the level), {@code logger},
 * {@code message}, {@code thread}, and {@code request_id} / {@code decision_id} when the record
 * was made while serving a request ({@link RequestIds}); an exception as {@code exception}
 * (its stack trace). Jackson writes the strings, so a message cannot break the line or the
 * object. Turned on with {@code PLINTH_LOG_FORMAT=json}.
 */
public final class JsonLogFormatter extends Formatter {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String format(LogRecord r) {
        ObjectNode line = JSON.createObjectNode();
        line.put("time", Instant.ofEpochMilli(r.getMillis()).toString());
        line.put("severity", severity(r.getLevel()));
        line.put("logger", r.getLoggerName());
        line.put("message", formatMessage(r));
        line.put("thread", Thread.currentThread().getName());
        RequestIds.Ids ids = RequestIds.current();
        if (ids != null) {
            line.put("request_id", ids.requestId());
            if (ids.decisionId() != null) {
                line.put("decision_id", ids.decisionId());
            }
        }
        if (r.getThrown() != null) {
            var trace = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(trace));
            line.put("exception", trace.toString());
        }
        try {
            return JSON.writeValueAsString(line) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            return "{\"severity\":\"ERROR\",\"message\":\"a log record could not be written as JSON\"}" + System.lineSeparator();
        }
    }

    /** JUL levels in Cloud Logging's severities. */
    static String severity(java.util.logging.Level level) {
        int v = level.intValue();
        if (v >= java.util.logging.Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= java.util.logging.Level.WARNING.intValue()) {
            return "WARNING";
        }
        if (v >= java.util.logging.Level.INFO.intValue()) {
            return "INFO";
        }
        return "DEBUG";
    }
}
