package dev.plinth.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Latency distributions as a PNG, one panel per connection count: x is the percentile on
 * the usual "nines" scale (log of 1/(1−p)), y the latency on a log scale. Plinth is blue,
 * OPA orange; each target has its own dash. Plain Java2D, headless: the plot needs no
 * charting library and renders the same on any JDK.
 */
final class LatencyPlot {

    private static final int PANEL_W = 620;
    private static final int PANEL_H = 440;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final Color PLINTH = new Color(0x1f77b4);
    private static final Color OPA = new Color(0xff7f0e);
    private static final float[][] DASHES = {null, {10f, 6f}, {2f, 4f}};

    private LatencyPlot() {}

    static void write(List<OpaSideBySide.Run> runs, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int[] conns = OpaSideBySide.CONNECTIONS;
        List<String> targets = runs.stream().map(OpaSideBySide.Run::target).distinct().toList();
        var image = new BufferedImage(PANEL_W * conns.length, PANEL_H + 90, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        double maxUs = runs.stream().flatMap(r -> r.distribution().values().stream()).mapToDouble(d -> d).max().orElse(1000);
        double minUs = Math.max(1, runs.stream().flatMap(r -> r.distribution().values().stream()).mapToDouble(d -> d).min().orElse(1));
        for (int i = 0; i < conns.length; i++) {
            int c = conns[i];
            panel(g, i * PANEL_W, c, targets, runs.stream().filter(r -> r.connections() == c).toList(), minUs, maxUs);
        }
        legend(g, targets, PANEL_H + 10);
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }

    private static double x(double percentile) {
        return Math.log10(1 / (1 - percentile / 100.0));
    }

    private static void panel(Graphics2D g, int ox, int connections, List<String> targets, List<OpaSideBySide.Run> runs,
            double minUs, double maxUs) {
        int w = PANEL_W - LEFT - RIGHT;
        int h = PANEL_H - TOP - BOTTOM;
        double xMax = x(99.99);
        double yMin = Math.floor(Math.log10(minUs));
        double yMax = Math.ceil(Math.log10(maxUs));
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("wrk, 1 thread, " + connections + " connection" + (connections == 1 ? "" : "s") + " (loopback, 2 cores)",
                ox + LEFT, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (double p : new double[] {0, 50, 90, 99, 99.9, 99.99}) {
            int px = ox + LEFT + (int) (x(p) / xMax * w);
            g.setColor(new Color(0xdddddd));
            g.drawLine(px, TOP, px, TOP + h);
            g.setColor(Color.DARK_GRAY);
            String label = p == 0 ? "p0" : "p" + (p == Math.floor(p) ? Integer.toString((int) p) : Double.toString(p));
            int width = g.getFontMetrics().stringWidth(label);
            g.drawString(label, Math.min(px - width / 2, ox + PANEL_W - RIGHT / 2 - width), TOP + h + 16);
        }
        for (double e = yMin; e <= yMax; e++) {
            int py = TOP + h - (int) ((e - yMin) / (yMax - yMin) * h);
            g.setColor(new Color(0xdddddd));
            g.drawLine(ox + LEFT, py, ox + LEFT + w, py);
            g.setColor(Color.DARK_GRAY);
            double us = Math.pow(10, e);
            g.drawString(us >= 1000 ? (long) (us / 1000) + " ms" : (long) us + " µs", ox + 8, py + 4);
        }
        g.drawString("percentile", ox + LEFT + w / 2 - 25, TOP + h + 34);
        g.setColor(Color.BLACK);
        g.drawRect(ox + LEFT, TOP, w, h);
        for (String target : targets) {
            for (String system : List.of("opa", "plinth")) {
                var matching = runs.stream().filter(r -> r.target().equals(target) && r.system().equals(system)).toList();
                if (matching.isEmpty()) {
                    continue;
                }
                var run = OpaSideBySide.median(runs, target, system, connections);
                g.setColor(system.equals("plinth") ? PLINTH : OPA);
                float[] dash = DASHES[targets.indexOf(target) % DASHES.length];
                g.setStroke(dash == null ? new BasicStroke(2f) : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, dash, 0f));
                int prevX = -1;
                int prevY = -1;
                for (Map.Entry<String, Double> point : run.distribution().entrySet()) {
                    double p = Double.parseDouble(point.getKey());
                    int px = ox + LEFT + (int) (x(p) / xMax * w);
                    double v = Math.log10(Math.max(1, point.getValue()));
                    int py = TOP + h - (int) ((v - yMin) / (yMax - yMin) * h);
                    if (prevX >= 0) {
                        g.drawLine(prevX, prevY, px, py);
                    }
                    prevX = px;
                    prevY = py;
                }
                g.setStroke(new BasicStroke(1f));
            }
        }
    }

    private static void legend(Graphics2D g, List<String> targets, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int x = LEFT;
        for (String system : List.of("plinth", "opa")) {
            for (String target : targets) {
                g.setColor(system.equals("plinth") ? PLINTH : OPA);
                float[] dash = DASHES[targets.indexOf(target) % DASHES.length];
                g.setStroke(dash == null ? new BasicStroke(2f) : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, dash, 0f));
                g.drawLine(x, y + 10, x + 40, y + 10);
                g.setStroke(new BasicStroke(1f));
                g.setColor(Color.BLACK);
                String label = (system.equals("plinth") ? "Plinth" : "OPA server") + " — " + target;
                g.drawString(label, x + 48, y + 14);
                x += 48 + g.getFontMetrics().stringWidth(label) + 24;
                if (x > PANEL_W * 2 - 300) {
                    x = LEFT;
                    y += 20;
                }
            }
        }
    }
}
