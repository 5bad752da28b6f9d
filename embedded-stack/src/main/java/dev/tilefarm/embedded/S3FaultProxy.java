package dev.tilefarm.embedded;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 proxy in front of an S3 endpoint (the {@link EmbeddedS3} server or any other) whose faults are
 * switched at run time: what a misbehaving object store looks like to the farm's S3 clients.
 *
 * <p>Clients sign their requests for the proxy's own address (it is their endpoint), and the proxy forwards each
 * request byte for byte, so signatures stay valid. Each request is matched against the {@link Rule}s in force, in
 * order; the first rule that matches the request and wins its draw (a seeded random number below its fraction)
 * applies its {@link Fault}:
 * <ul>
 *   <li>{@link Fault.Status}: the request never reaches the store; the client gets that status with an S3 XML
 *       error body ({@code InternalError}, {@code SlowDown}, ...);</li>
 *   <li>{@link Fault.Slow}: the request is done, but its answer is held back for the delay, beyond the client's
 *       timeout if the delay is long enough (the client then does not know whether a write happened);</li>
 *   <li>{@link Fault.Truncate}: the answer declares its whole length but stops after half of the body, and the
 *       connection is closed;</li>
 *   <li>{@link Fault.Corrupt}: one byte of an object's body is changed, its length and headers kept, so only a
 *       checksum of the bytes can tell. It applies to object bodies (a GET of a key) only: a listing's XML carries
 *       no checksum in S3 either.</li>
 * </ul>
 * {@link #down()} closes the listening socket and every open connection, so connections are refused until
 * {@link #up()}. Every fault applied is counted ({@link #injected()}), so a test can tell that what it meant to
 * inject did happen.
 *
 * <p>Answers are relayed whole: a chunked answer goes on with a {@code Content-Length} instead. Thread-safe.
 */
public final class S3FaultProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(S3FaultProxy.class);
    private static final int MAX_HEAD = 64 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};

    /** A fault the proxy applies to one request. */
    public sealed interface Fault {
        /** The name the fault is counted under in {@link #injected()}. */
        String name();

        /** Answers {@code code} (a 4xx or 5xx) with S3's XML error body, without asking the store. */
        record Status(int code) implements Fault {
            public Status {
                if (code < 400 || code > 599) {
                    throw new IllegalArgumentException("status: " + code + " is not an error status (400-599)");
                }
            }

            @Override
            public String name() {
                return Integer.toString(code);
            }
        }

        /** Holds the store's answer back for {@code delay}. */
        record Slow(Duration delay) implements Fault {
            public Slow {
                Objects.requireNonNull(delay, "delay");
                if (delay.isNegative() || delay.isZero()) {
                    throw new IllegalArgumentException("delay: must be positive, not " + delay);
                }
            }

            @Override
            public String name() {
                return "slow";
            }
        }

        /** Sends the head and half of the body, then closes the connection. */
        record Truncate() implements Fault {
            @Override
            public String name() {
                return "truncated";
            }
        }

        /** Changes one byte of an object's body. */
        record Corrupt() implements Fault {
            @Override
            public String name() {
                return "corrupted";
            }
        }
    }

    /**
     * Applies {@code fault} to a {@code fraction} (0..1) of the requests with {@code method} (null: any) whose path
     * starts with {@code pathPrefix} (null: any; the path as sent, such as {@code /bucket/tiles/}).
     */
    public record Rule(Fault fault, double fraction, String method, String pathPrefix) {
        public Rule {
            Objects.requireNonNull(fault, "fault");
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new IllegalArgumentException("fraction: must be within 0..1, not " + fraction);
            }
            method = method == null ? null : method.toUpperCase(Locale.ROOT);
        }

        /** {@code fault} on every request. */
        public static Rule always(Fault fault) {
            return new Rule(fault, 1, null, null);
        }

        /** {@code fault} on a {@code fraction} of all requests. */
        public static Rule sometimes(Fault fault, double fraction) {
            return new Rule(fault, fraction, null, null);
        }

        boolean matches(String requestMethod, String path) {
            return (method == null || method.equals(requestMethod))
                    && (pathPrefix == null || path.startsWith(pathPrefix));
        }
    }

    private final URI upstream;
    private final String upstreamHost;
    private final int upstreamPort;
    private final InetSocketAddress address;
    private final Random random;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicLong> injected = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final Object lock = new Object();
    private volatile List<Rule> rules = List.of();
    private ServerSocket server;
    private boolean closed;

    private S3FaultProxy(URI upstream, InetSocketAddress address, long seed) {
        this.upstream = upstream;
        this.upstreamHost = upstream.getHost();
        this.upstreamPort = upstream.getPort() != -1 ? upstream.getPort() : 80;
        this.address = address;
        this.random = new Random(seed);
    }

    /**
     * Starts a proxy on 127.0.0.1:{@code port} (0: a free port) in front of {@code upstream}, an {@code http://}
     * endpoint, with no fault in force.
     *
     * @param seed seeds the draws of the rules and the corrupted byte, so a run can be repeated
     */
    public static S3FaultProxy start(URI upstream, int port, long seed) throws IOException {
        return start(upstream, new InetSocketAddress(InetAddress.getByName(EmbeddedS3.HOST), port), seed);
    }

    /** Starts a proxy listening on {@code address} (port 0: a free port) in front of {@code upstream}. */
    public static S3FaultProxy start(URI upstream, InetSocketAddress address, long seed) throws IOException {
        Objects.requireNonNull(upstream, "upstream");
        if (!"http".equalsIgnoreCase(upstream.getScheme()) || upstream.getHost() == null) {
            throw new IllegalArgumentException("upstream: must be an http:// endpoint with a host, not " + upstream);
        }
        ServerSocket socket = bind(address);
        S3FaultProxy proxy = new S3FaultProxy(upstream,
                new InetSocketAddress(address.getAddress(), socket.getLocalPort()), seed);
        synchronized (proxy.lock) {
            proxy.listen(socket);
        }
        LOG.info("S3 fault proxy on {} in front of {}", proxy.endpoint(), upstream);
        return proxy;
    }

    /** The proxy's endpoint, {@code http://HOST:PORT}: what clients use as their S3 endpoint. */
    public URI endpoint() {
        return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
    }

    /** The store behind the proxy. */
    public URI upstream() {
        return upstream;
    }

    /** Puts {@code rules} in force, in place of the ones before; none: every request passes untouched. */
    public void set(Rule... rules) {
        this.rules = List.of(rules);
        LOG.info("S3 fault proxy rules: {}", this.rules);
    }

    /** Removes every rule (not {@link #down()}: use {@link #up()}). */
    public void clear() {
        set();
    }

    /** The rules in force. */
    public List<Rule> rules() {
        return rules;
    }

    /** Refuses connections from now on and drops the open ones, until {@link #up()}. */
    public void down() throws IOException {
        synchronized (lock) {
            if (server != null) {
                server.close();
                server = null;
                injected.computeIfAbsent("down", k -> new AtomicLong()).incrementAndGet();
            }
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
        LOG.info("S3 fault proxy {} is down", endpoint());
    }

    /** Takes connections again on the same port after {@link #down()}. */
    public void up() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the proxy is closed");
            }
            if (server == null) {
                listen(bind(address));
                LOG.info("S3 fault proxy {} is up", endpoint());
            }
        }
    }

    /** Whether the proxy takes connections. */
    public boolean isUp() {
        synchronized (lock) {
            return server != null;
        }
    }

    /** How many times each fault was applied, by {@link Fault#name()}; {@code "down"} counts {@link #down()}s. */
    public Map<String, Long> injected() {
        Map<String, Long> out = new TreeMap<>();
        injected.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** How many requests have come in. */
    public long requests() {
        return requests.get();
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (server != null) {
                closeQuietly(server);
                server = null;
            }
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
        threads.shutdownNow();
    }

    @Override
    public String toString() {
        return "S3FaultProxy[" + endpoint() + " -> " + upstream + "]";
    }

    private static ServerSocket bind(InetSocketAddress address) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        try {
            s.bind(address, 128);
        } catch (IOException e) {
            s.close();
            throw new IOException("S3 fault proxy cannot listen on " + address + ": " + e.getMessage(), e);
        }
        return s;
    }

    /** Accepts on {@code socket} until it is closed. Called holding {@link #lock}. */
    private void listen(ServerSocket socket) {
        server = socket;
        threads.execute(() -> {
            while (true) {
                Socket client;
                try {
                    client = socket.accept();
                } catch (IOException e) {
                    return; // closed by down() or close()
                }
                open.add(client);
                threads.execute(() -> serve(client));
            }
        });
    }

    /** Serves one client connection, request after request, over one connection to the store. */
    private void serve(Socket client) {
        Upstream store = new Upstream();
        try (client) {
            client.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(client.getInputStream(), 1 << 16);
            OutputStream out = client.getOutputStream();
            while (true) {
                Request req = Request.read(in, out);
                if (req == null) {
                    return;
                }
                requests.incrementAndGet();
                Fault fault = choose(req);
                if (fault instanceof Fault.Status s) {
                    count(s);
                    writeError(out, s.code(), req);
                    if (req.close) {
                        return;
                    }
                    continue;
                }
                Response resp = store.exchange(req);
                if (resp == null) {
                    return; // the store is unreachable: the client sees its connection closed without an answer
                }
                switch (fault) {
                    case null -> resp.write(out);
                    case Fault.Slow slow -> {
                        count(slow);
                        Thread.sleep(slow.delay());
                        resp.write(out);
                    }
                    case Fault.Truncate t -> {
                        if (resp.body.length < 2) {
                            resp.write(out);
                        } else {
                            count(t);
                            resp.writeTruncated(out);
                            return;
                        }
                    }
                    case Fault.Corrupt c -> {
                        if (corruptible(req, resp)) {
                            count(c);
                            resp.corrupt(nextInt(resp.body.length), 1 + nextInt(255));
                        }
                        resp.write(out);
                    }
                    case Fault.Status s -> throw new AssertionError(s);
                }
                if (req.close || resp.close) {
                    return;
                }
            }
        } catch (IOException e) {
            LOG.debug("S3 fault proxy connection {} ended: {}", client.getRemoteSocketAddress(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(client);
            store.close();
        }
    }

    private Fault choose(Request req) {
        for (Rule rule : rules) {
            if (rule.matches(req.method, req.path()) && draw() < rule.fraction()) {
                return rule.fault();
            }
        }
        return null;
    }

    private double draw() {
        synchronized (random) {
            return random.nextDouble();
        }
    }

    private int nextInt(int bound) {
        synchronized (random) {
            return random.nextInt(bound);
        }
    }

    private void count(Fault fault) {
        injected.computeIfAbsent(fault.name(), k -> new AtomicLong()).incrementAndGet();
    }

    /** An object's body: a successful GET of a key (a path with something after the bucket) with bytes. */
    private static boolean corruptible(Request req, Response resp) {
        String path = req.path();
        int slash = path.indexOf('/', 1);
        return req.method.equals("GET") && slash > 0 && slash < path.length() - 1
                && (resp.status == 200 || resp.status == 206) && resp.body.length > 0;
    }

    private static void writeError(OutputStream out, int code, Request req) throws IOException {
        String s3Code = switch (code) {
            case 500 -> "InternalError";
            case 503 -> "SlowDown";
            case 429 -> "TooManyRequests";
            case 408 -> "RequestTimeout";
            default -> code >= 500 ? "ServiceUnavailable" : "InvalidRequest";
        };
        String reason = switch (code) {
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 429 -> "Too Many Requests";
            default -> "Error";
        };
        String requestId = Long.toHexString(System.nanoTime());
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + s3Code + "</Code><Message>"
                + "injected by the S3 fault proxy</Message><Resource>" + escapeXml(req.path()) + "</Resource>"
                + "<RequestId>" + requestId + "</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + code + " " + reason + "\r\n"
                + "Content-Type: application/xml\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "x-amz-request-id: " + requestId + "\r\n"
                + (req.close ? "Connection: close\r\n" : "")
                + "\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (!req.method.equals("HEAD")) {
            out.write(body);
        }
        out.flush();
    }

    private static String escapeXml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    /** The connection to the store of one client connection, opened when needed and reopened when it went stale. */
    private final class Upstream {
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private boolean used;

        /** Sends {@code req} and reads its answer; null if the store cannot be reached. */
        Response exchange(Request req) throws IOException {
            for (int attempt = 1; ; attempt++) {
                boolean reused = socket != null && used;
                try {
                    if (socket == null) {
                        socket = new Socket();
                        socket.connect(new InetSocketAddress(upstreamHost, upstreamPort), 5_000);
                        socket.setTcpNoDelay(true);
                        open.add(socket);
                        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
                        out = socket.getOutputStream();
                        used = false;
                    }
                    req.write(out);
                    used = true;
                    Response resp = Response.read(in, req.method);
                    if (resp.close) {
                        close();
                    }
                    return resp;
                } catch (IOException e) {
                    close();
                    // A kept-alive connection the store has closed meanwhile: once more on a new one.
                    if (reused && attempt == 1) {
                        continue;
                    }
                    LOG.debug("S3 fault proxy cannot reach {}: {}", upstream, e.toString());
                    return null;
                }
            }
        }

        void close() {
            if (socket != null) {
                open.remove(socket);
                closeQuietly(socket);
                socket = null;
            }
        }
    }

    /** One HTTP request as received: its head and its body bytes as sent (chunked or not), to forward verbatim. */
    private record Request(String method, String target, byte[] head, byte[] body, boolean close) {

        /** The request's path, without its query. */
        String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }

        /**
         * Reads the next request, or null when the client has closed the connection between requests. A client
         * waiting for {@code 100 Continue} gets it from the proxy, which takes the whole body before it decides.
         */
        static Request read(InputStream in, OutputStream out) throws IOException {
            byte[] head = readHead(in);
            if (head == null) {
                return null;
            }
            List<String> lines = lines(head);
            String[] requestLine = lines.get(0).split(" ");
            if (requestLine.length != 3) {
                throw new IOException("malformed request line: " + lines.get(0));
            }
            Map<String, String> headers = headers(lines);
            boolean close = "close".equalsIgnoreCase(headers.get("connection"))
                    || requestLine[2].equals("HTTP/1.0");
            if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            byte[] body;
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                ByteArrayOutputStream raw = new ByteArrayOutputStream();
                readChunked(in, raw, null);
                body = raw.toByteArray();
            } else {
                body = in.readNBytes(contentLength(headers, 0));
            }
            return new Request(requestLine[0].toUpperCase(Locale.ROOT), requestLine[1], head, body, close);
        }

        void write(OutputStream out) throws IOException {
            out.write(head);
            out.write(body);
            out.flush();
        }
    }

    /** One answer of the store, its body whole (de-chunked). */
    private static final class Response {
        final int status;
        final List<String> headLines;
        final byte[] body;
        final boolean close;
        final boolean headRequest;

        private Response(int status, List<String> headLines, byte[] body, boolean close, boolean headRequest) {
            this.status = status;
            this.headLines = headLines;
            this.body = body;
            this.close = close;
            this.headRequest = headRequest;
        }

        static Response read(InputStream in, String method) throws IOException {
            while (true) {
                byte[] head = readHead(in);
                if (head == null) {
                    throw new EOFException("the store closed the connection without an answer");
                }
                List<String> lines = lines(head);
                String[] statusLine = lines.get(0).split(" ", 3);
                int status;
                try {
                    status = Integer.parseInt(statusLine[1]);
                } catch (RuntimeException e) {
                    throw new IOException("malformed status line: " + lines.get(0));
                }
                if (status >= 100 && status < 200) {
                    continue; // 100 Continue: the proxy sent the body anyway
                }
                Map<String, String> headers = headers(lines);
                boolean close = "close".equalsIgnoreCase(headers.get("connection"))
                        || statusLine[0].equals("HTTP/1.0");
                boolean headRequest = method.equals("HEAD");
                byte[] body;
                List<String> keep = new ArrayList<>();
                keep.add(lines.get(0));
                if (headRequest || status == 204 || status == 304) {
                    body = new byte[0];
                    keep.addAll(lines.subList(1, lines.size()));
                } else {
                    boolean chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
                    if (chunked) {
                        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
                        readChunked(in, null, decoded);
                        body = decoded.toByteArray();
                    } else if (headers.containsKey("content-length")) {
                        int length = contentLength(headers, 0);
                        body = in.readNBytes(length);
                        if (body.length < length) {
                            throw new EOFException("the store's answer ended after " + body.length + " of "
                                    + length + " bytes");
                        }
                    } else {
                        body = in.readAllBytes();
                        close = true;
                    }
                    for (String line : lines.subList(1, lines.size())) {
                        String name = line.substring(0, Math.max(0, line.indexOf(':'))).trim().toLowerCase(Locale.ROOT);
                        if (!name.equals("transfer-encoding") && !name.equals("content-length")) {
                            keep.add(line);
                        }
                    }
                    keep.add("Content-Length: " + body.length);
                }
                return new Response(status, keep, body, close, headRequest);
            }
        }

        void corrupt(int position, int xor) {
            body[position] ^= (byte) xor;
        }

        void write(OutputStream out) throws IOException {
            writeHead(out);
            out.write(body);
            out.flush();
        }

        /** The head, declaring the whole length, and the first half of the body. */
        void writeTruncated(OutputStream out) throws IOException {
            writeHead(out);
            out.write(body, 0, body.length / 2);
            out.flush();
        }

        private void writeHead(OutputStream out) throws IOException {
            StringBuilder sb = new StringBuilder();
            for (String line : headLines) {
                sb.append(line).append("\r\n");
            }
            sb.append("\r\n");
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    /** The bytes up to and including the blank line ending a head; null at a clean end of stream before it. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int matched = 0;
        while (matched < 4) {
            int b;
            try {
                b = in.read();
            } catch (SocketException e) {
                if (head.size() == 0) {
                    return null;
                }
                throw e;
            }
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new EOFException("connection closed within a message head");
            }
            head.write(b);
            if (head.size() > MAX_HEAD) {
                throw new IOException("message head longer than " + MAX_HEAD + " bytes");
            }
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toByteArray();
    }

    private static List<String> lines(byte[] head) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>(List.of(text.split("\r\n")));
        lines.removeIf(String::isEmpty);
        return lines;
    }

    /** Header names (lower case) to values; the first line (request or status line) is skipped. */
    private static Map<String, String> headers(List<String> lines) {
        Map<String, String> headers = new TreeMap<>();
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return headers;
    }

    private static int contentLength(Map<String, String> headers, int absent) throws IOException {
        String v = headers.get("content-length");
        if (v == null) {
            return absent;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0 || n > Integer.MAX_VALUE - 16) {
                throw new IOException("Content-Length out of range: " + v);
            }
            return (int) n;
        } catch (NumberFormatException e) {
            throw new IOException("malformed Content-Length: " + v);
        }
    }

    /** Reads a chunked body: its raw bytes into {@code raw}, its data into {@code decoded} (either may be null). */
    private static void readChunked(InputStream in, ByteArrayOutputStream raw, ByteArrayOutputStream decoded)
            throws IOException {
        while (true) {
            String sizeLine = readLine(in);
            if (raw != null) {
                raw.write(sizeLine.getBytes(StandardCharsets.ISO_8859_1));
                raw.write(CRLF);
            }
            int semi = sizeLine.indexOf(';');
            int size;
            try {
                size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size: " + sizeLine);
            }
            if (size == 0) {
                // Trailers, then the blank line.
                while (true) {
                    String trailer = readLine(in);
                    if (raw != null) {
                        raw.write(trailer.getBytes(StandardCharsets.ISO_8859_1));
                        raw.write(CRLF);
                    }
                    if (trailer.isEmpty()) {
                        return;
                    }
                }
            }
            byte[] data = in.readNBytes(size);
            if (data.length < size) {
                throw new EOFException("chunk ended after " + data.length + " of " + size + " bytes");
            }
            if (raw != null) {
                raw.write(data);
            }
            if (decoded != null) {
                decoded.write(data);
            }
            String end = readLine(in);
            if (!end.isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
            if (raw != null) {
                raw.write(CRLF);
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed within a chunked body");
            }
            if (b == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            sb.append((char) b);
            if (sb.length() > 8192) {
                throw new IOException("line longer than 8192 bytes in a chunked body");
            }
        }
    }
}
