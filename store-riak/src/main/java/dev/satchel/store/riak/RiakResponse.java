package dev.satchel.store.riak;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/** One HTTP answer from a Riak node: status, headers and the whole body. Immutable. */
final class RiakResponse {

    final int status;
    final HttpHeaders headers;
    final byte[] body;
    /** The node that answered, {@code scheme://host:port}, for messages. */
    final String node;

    RiakResponse(int status, HttpHeaders headers, byte[] body, String node) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.node = node;
    }

    /** The first value of header {@code name}, or {@code null}. */
    String header(String name) {
        return headers.firstValue(name).orElse(null);
    }

    /**
     * The start of the body as text, for an error message. Riak's error bodies are fixed sentences
     * ("PW-value unsatisfied: 1/2"); {@code key} is blanked in case a server quotes it.
     */
    String describe(String key) {
        int n = Math.min(body.length, 200);
        String text = new String(body, 0, n, StandardCharsets.UTF_8).trim();
        if (key != null) {
            text = text.replace(key, "<key>");
        }
        return "HTTP " + status + " from " + node + (text.isEmpty() ? "" : ": " + text);
    }
}
