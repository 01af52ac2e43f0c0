package dev.satchel.store.riak;

import dev.satchel.SessionStoreTimeoutException;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.spi.UnreadableEntryException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Riak nodes a store talks to, and the failover between them. Requests start at the next node in
 * round-robin order and skip nodes marked down; a node is marked down for the retry interval when it refuses
 * the connection, does not answer within the request timeout, or answers 502, 503 or 504, and the request
 * moves on to the next node. A 503 that reports an unmet quorum ({@code PR-value unsatisfied},
 * {@code R-value unsatisfied}, …) or Riak's own internal timeout moves on too, without marking the node down:
 * the node is fine, the replicas of that one key are not, and another coordinator may see them differently.
 * Nodes marked down are tried last, so a request still goes through when every node has been marked down but
 * one has come back. Thread-safe.
 */
final class RiakNodes {

    private static final Logger LOG = LoggerFactory.getLogger(RiakNodes.class);
    /** The starts of Riak's 503 sentences about one key's replicas (riak_kv_wm_object's handle_common_error). */
    private static final String[] QUORUM_FAILURES = {"PR-value unsatisfied", "PW-value unsatisfied",
        "R-value unsatisfied", "DW-value unsatisfied", "node_confirms-value unsatisfied", "Too Many write failures",
        "request timed out"};

    private final URI[] bases;
    private final String[] names;
    private final AtomicLongArray downUntil;
    private final AtomicInteger next = new AtomicInteger();
    private final HttpClient http;
    private final Duration requestTimeout;
    private final Clock clock;
    private final long retryAfterMillis;
    private final long maxResponseBytes;

    RiakNodes(List<URI> nodes, Duration connectTimeout, Duration requestTimeout, Duration retryAfter, Clock clock,
            long maxResponseBytes) {
        this.bases = nodes.toArray(new URI[0]);
        this.names = new String[bases.length];
        for (int i = 0; i < bases.length; i++) {
            names[i] = bases[i].getScheme() + "://" + bases[i].getHost() + ":" + bases[i].getPort();
        }
        this.downUntil = new AtomicLongArray(bases.length);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.requestTimeout = requestTimeout;
        this.clock = clock;
        this.retryAfterMillis = retryAfter.toMillis();
        this.maxResponseBytes = maxResponseBytes;
    }

    /** Sends {@code request}; see {@link #send(String, String, String[], byte[], String)}. */
    RiakResponse send(RiakRequests.Request request, String key) {
        return send(request.method(), request.target(), request.headers(), request.body(), key);
    }

    /**
     * Sends one request to the first node that answers it, and returns that answer whatever its status
     * (except 502, 503 and 504, which move on to the next node).
     *
     * @param pathAndQuery starts with {@code /}; must not contain a session id in anything this class logs
     * @param headers name, value, name, value, …
     * @param body the request body, or {@code null} for none
     * @param key the key the request is about, blanked from error messages; may be null
     * @throws SessionStoreUnavailableException if no node answered (cause: the last failure)
     * @throws SessionStoreTimeoutException if the last node tried did not answer in time
     * @throws UnreadableEntryException if the answer is larger than the response limit
     */
    RiakResponse send(String method, String pathAndQuery, String[] headers, byte[] body, String key) {
        int n = bases.length;
        int start = Math.floorMod(next.getAndIncrement(), n);
        long now = clock.millis();
        List<Exception> failures = new ArrayList<>(2);
        boolean lastWasTimeout = false;
        // First the nodes not marked down, then (as a last resort) the ones that were; each at most once.
        boolean[] wasDown = new boolean[n];
        for (int i = 0; i < n; i++) {
            wasDown[i] = downUntil.get(i) > now;
        }
        for (int pass = 0; pass < 2; pass++) {
            for (int k = 0; k < n; k++) {
                int i = (start + k) % n;
                if (wasDown[i] != (pass == 1)) {
                    continue;
                }
                try {
                    RiakResponse r = attempt(i, method, pathAndQuery, headers, body);
                    if (r.status == 502 || r.status == 503 || r.status == 504) {
                        Exception failure = new IOException(r.describe(key));
                        if (!isQuorumFailure(r)) {
                            markDown(i, failure);
                        }
                        failures.add(failure);
                        lastWasTimeout = false;
                        continue;
                    }
                    markUp(i);
                    return r;
                } catch (HttpConnectTimeoutException e) {
                    markDown(i, e);
                    failures.add(e);
                    lastWasTimeout = false;
                } catch (HttpTimeoutException e) {
                    markDown(i, e);
                    failures.add(e);
                    lastWasTimeout = true;
                } catch (IOException e) {
                    if (e instanceof ResponseTooLarge || e.getCause() instanceof ResponseTooLarge) {
                        // The node answered; the answer is what is wrong.
                        throw new UnreadableEntryException(
                                "Riak's answer is larger than " + maxResponseBytes + " bytes", e);
                    }
                    markDown(i, e);
                    failures.add(e);
                    lastWasTimeout = false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SessionStoreUnavailableException("interrupted while waiting for Riak", e);
                }
            }
        }
        // The last failure is the cause; the earlier ones, one per node tried, ride along as suppressed.
        Exception last = failures.get(failures.size() - 1);
        for (int f = 0; f < failures.size() - 1; f++) {
            last.addSuppressed(failures.get(f));
        }
        String message = "no Riak node served " + method + " (" + failures.size() + " tried)";
        if (lastWasTimeout) {
            throw new SessionStoreTimeoutException(message + ": timed out after " + requestTimeout.toMillis() + " ms",
                    last);
        }
        throw new SessionStoreUnavailableException(message, last);
    }

    private RiakResponse attempt(int node, String method, String pathAndQuery, String[] headers, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(bases[node] + pathAndQuery))
                .timeout(requestTimeout)
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int h = 0; h < headers.length; h += 2) {
            b.header(headers[h], headers[h + 1]);
        }
        HttpResponse<byte[]> r = http.send(b.build(), info -> new BoundedBody(maxResponseBytes));
        return new RiakResponse(r.statusCode(), r.headers(), r.body(), names[node]);
    }

    /** A 503 in which Riak says the replicas of one key could not be consulted, not that the node failed. */
    private static boolean isQuorumFailure(RiakResponse r) {
        if (r.status != 503) {
            return false;
        }
        String text = new String(r.body, 0, Math.min(r.body.length, 40), StandardCharsets.US_ASCII);
        for (String sentence : QUORUM_FAILURES) {
            if (text.startsWith(sentence)) {
                return true;
            }
        }
        return false;
    }

    private void markDown(int node, Exception why) {
        long until = clock.millis() + retryAfterMillis;
        if (downUntil.getAndSet(node, until) == 0) {
            LOG.warn("Riak node {} failed ({}); skipping it for {} ms", names[node], why.toString(), retryAfterMillis);
        }
    }

    private void markUp(int node) {
        if (downUntil.get(node) != 0 && downUntil.getAndSet(node, 0) != 0) {
            LOG.info("Riak node {} answers again", names[node]);
        }
    }

    /** A response body larger than the limit: refused, never held in memory whole. */
    static final class ResponseTooLarge extends IOException {
        ResponseTooLarge(long limit) {
            super("response body larger than " + limit + " bytes");
        }
    }

    /** Collects a body up to a limit, failing (and cancelling the transfer) past it. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long limit;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private byte[] buf = new byte[512];
        private int size;
        private Flow.Subscription subscription;

        BoundedBody(long limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                int r = b.remaining();
                if ((long) size + r > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new ResponseTooLarge(limit));
                    return;
                }
                if (size + r > buf.length) {
                    buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + r));
                }
                b.get(buf, size, r);
                size += r;
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            if (result.isDone()) {
                return;
            }
            result.complete(size == buf.length ? buf : Arrays.copyOf(buf, size));
        }
    }
}
