package dev.plinth.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fault injector, not a stand-in: a TCP relay in front of a real server. {@link #blackHole}
 * makes every connection open at that moment half-dead the way a vanished peer or a broken
 * NAT entry does: the sockets stay open, nothing is forwarded in either direction and no
 * RST or FIN is sent. Connections opened later are relayed normally, so a client that
 * reconnects recovers.
 */
public final class TcpRelay implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean closed;

    private final class Link {
        final Socket client;
        final Socket upstream;
        volatile boolean dead;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void pump(InputStream in, OutputStream out) {
            byte[] buf = new byte[16 * 1024];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    while (dead && !closed) {
                        Thread.sleep(50); // holds what was read; reads no more: the peer's buffers fill
                    }
                    if (closed) {
                        return;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the other side went away
            } finally {
                if (!dead) {
                    closeQuietly(client);
                    closeQuietly(upstream);
                }
            }
        }
    }

    public TcpRelay(String targetHostAndPort) throws IOException {
        int colon = targetHostAndPort.lastIndexOf(':');
        this.target = new InetSocketAddress(targetHostAndPort.substring(0, colon), Integer.parseInt(targetHostAndPort.substring(colon + 1)));
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("tcp-relay-accept").start(this::accept);
    }

    /** {@code 127.0.0.1:<port>} of the relay. */
    public String host() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** How many connections the relay has accepted so far. */
    public int connections() {
        return accepted.get();
    }

    /** Every connection open now stops forwarding, silently; later ones are relayed. */
    public void blackHole() {
        links.forEach(l -> l.dead = true);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(target, 5_000);
                var link = new Link(client, upstream);
                links.add(link);
                accepted.incrementAndGet();
                Thread.ofPlatform().daemon().start(() -> link.pump(getIn(client), getOut(upstream)));
                Thread.ofPlatform().daemon().start(() -> link.pump(getIn(upstream), getOut(client)));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private static InputStream getIn(Socket s) {
        try {
            return s.getInputStream();
        } catch (IOException e) {
            return InputStream.nullInputStream();
        }
    }

    private static OutputStream getOut(Socket s) {
        try {
            return s.getOutputStream();
        } catch (IOException e) {
            return OutputStream.nullOutputStream();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Link l : links) {
            closeQuietly(l.client);
            closeQuietly(l.upstream);
        }
    }
}
