package dev.satchel.store.riak;

import dev.satchel.spi.SessionRecord;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * Every HTTP request the store sends to Riak, built in one place: paths, query parameters and headers. What
 * each request carries and why:
 * <ul>
 *   <li>{@code Accept: multipart/mixed, *}{@code /*;q=0.5} on every request. Riak answers a bare
 *       {@code Accept: multipart/mixed} with {@code 406 Not Acceptable} whenever the object has no siblings
 *       (it offers only the value's own content type then); with the wildcard it answers normally and still
 *       sends siblings as one multipart body.</li>
 *   <li>Reads ({@code GET}) carry {@code r}, {@code pr} and {@code notfound_ok=true}; so do writes
 *       ({@code PUT}), because Riak reads the object with them to evaluate {@code If-Match} and
 *       {@code If-None-Match}. With {@code pr} a majority, a read consults a majority of the primary replicas
 *       or fails with 503; {@code notfound_ok=true} lets a primary's "not found" count as the answer it is,
 *       while an empty fallback replica cannot count towards {@code pr} (see the README for why not
 *       {@code notfound_ok=false}).</li>
 *   <li>Writes carry {@code w}, {@code pw}, {@code dw}; deletes {@code rw}, {@code r}, {@code pr}, {@code w},
 *       {@code pw}, {@code dw}. A quorum left at {@link Quorum#DEFAULT} is not sent.</li>
 * </ul>
 * Immutable and thread-safe.
 */
final class RiakRequests {

    /** What every request accepts. */
    static final String ACCEPT = "multipart/mixed, */*;q=0.5";

    private static final String JSON = "application/json";
    private static final String[] ACCEPT_ONLY = {"Accept", ACCEPT};

    /** One request: method, path and query (starting with {@code /}), headers as name, value, …, and body. */
    record Request(String method, String target, String[] headers, byte[] body) {}

    private final String bucketPath;
    private final String quarantinePath;
    private final String propsTarget;
    private final String fetchQuery;
    private final String storeQuery;
    private final String writeBackQuery;
    private final String deleteQuery;

    /**
     * @param bucketType the bucket type, or {@code null} for Riak's default type (paths without {@code /types/})
     */
    RiakRequests(String bucketType, String bucket, Quorum r, Quorum pr, Quorum w, Quorum pw, Quorum dw, Quorum rw) {
        String typePrefix = bucketType == null ? "" : "/types/" + bucketType;
        this.bucketPath = typePrefix + "/buckets/" + bucket;
        this.quarantinePath = typePrefix + "/buckets/" + bucket + "-corrupt";
        this.propsTarget = bucketPath + "/props";
        String readParams = join(params("r", r, "pr", pr), "notfound_ok=true");
        String writeParams = params("w", w, "pw", pw, "dw", dw);
        this.fetchQuery = "?" + readParams;
        this.storeQuery = "?" + join(join("returnbody=true", writeParams), readParams);
        this.writeBackQuery = "?" + join(writeParams, readParams);
        this.deleteQuery = query(join(params("rw", rw, "r", r, "pr", pr), writeParams));
    }

    /** {@code GET …/props}: the bucket's properties. */
    Request props() {
        return new Request("GET", propsTarget, ACCEPT_ONLY, null);
    }

    /** {@code GET …/keys/<sid>}: the object with all its siblings. */
    Request fetch(String sid) {
        return new Request("GET", keyPath(sid) + fetchQuery, ACCEPT_ONLY, null);
    }

    /** {@code GET …/keys/<sid>?vtag=}: one sibling, when a 300 came as a vtag list. */
    Request sibling(String sid, String vtag) {
        return new Request("GET", keyPath(sid) + fetchQuery + "&vtag=" + URLEncoder.encode(vtag, StandardCharsets.UTF_8),
                ACCEPT_ONLY, null);
    }

    /** {@code PUT …/keys/<sid>?returnbody=true} with {@code If-None-Match: *}: a new session, never over another. */
    Request create(String sid, SessionRecord record, byte[] body) {
        return new Request("PUT", keyPath(sid) + storeQuery, writeHeaders(record, null, "If-None-Match", "*"), body);
    }

    /**
     * {@code PUT …/keys/<sid>?returnbody=true} with the vector clock read and {@code If-Match}: an update of what
     * was read.
     *
     * @param ifMatch an entity tag, {@code *} (the object must merely exist), or {@code null} for no condition
     */
    Request update(String sid, SessionRecord record, byte[] body, String vclock, String ifMatch) {
        return new Request("PUT", keyPath(sid) + storeQuery, writeHeaders(record, vclock, "If-Match",
                ifMatch == null || ifMatch.equals("*") ? ifMatch : '"' + ifMatch + '"'), body);
    }

    /** {@code PUT …/keys/<sid>} with the vector clock of the siblings it replaces: a merge written back. */
    Request writeBack(String sid, SessionRecord record, byte[] body, String vclock) {
        return new Request("PUT", keyPath(sid) + writeBackQuery, writeHeaders(record, vclock, null, null), body);
    }

    /** {@code DELETE …/keys/<sid>}, with the vector clock read when there is one. */
    Request delete(String sid, String vclock) {
        return new Request("DELETE", keyPath(sid) + deleteQuery,
                vclock == null ? ACCEPT_ONLY : new String[] {"Accept", ACCEPT, "X-Riak-Vclock", vclock}, null);
    }

    /** {@code PUT <bucket>-corrupt/keys/<sid>}: an unreadable answer copied aside, byte for byte. */
    Request quarantine(String sid, String contentType, byte[] raw) {
        return new Request("PUT", quarantinePath + "/keys/" + sid + writeBackQuery,
                new String[] {"Accept", ACCEPT, "Content-Type", contentType}, raw);
    }

    /** {@code GET …/index/<field>/<terms>?max_results=&continuation=}: one page of a secondary-index query. */
    Request index(String field, String terms, int pageSize, String continuation) {
        String target = bucketPath + "/index/" + field + "/" + terms + "?max_results=" + pageSize
                + (continuation == null ? "" : "&continuation=" + URLEncoder.encode(continuation, StandardCharsets.UTF_8));
        return new Request("GET", target, ACCEPT_ONLY, null);
    }

    /** The {@code principal_bin} term of a principal: fixed length, no header or path escaping needed. */
    static String principalTerm(String principal) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(principal.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private String keyPath(String sid) {
        return bucketPath + "/keys/" + sid;
    }

    /** Content type, both indexes, the vector clock if any, one optional condition header, and Accept. */
    private static String[] writeHeaders(SessionRecord r, String vclock, String condition, String value) {
        String[] h = new String[12];
        int n = 0;
        h[n++] = "Accept";
        h[n++] = ACCEPT;
        h[n++] = "Content-Type";
        h[n++] = JSON;
        h[n++] = "X-Riak-Index-expires_int";
        h[n++] = Long.toString(r.expiresAt());
        if (r.principal() != null) {
            h[n++] = "X-Riak-Index-principal_bin";
            h[n++] = principalTerm(r.principal());
        }
        if (vclock != null) {
            h[n++] = "X-Riak-Vclock";
            h[n++] = vclock;
        }
        if (value != null) {
            h[n++] = condition;
            h[n++] = value;
        }
        return n == h.length ? h : Arrays.copyOf(h, n);
    }

    private static String params(Object... nameValue) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < nameValue.length; i += 2) {
            String v = ((Quorum) nameValue[i + 1]).queryValue();
            if (v != null) {
                s.append(s.length() == 0 ? "" : "&").append(nameValue[i]).append('=').append(v);
            }
        }
        return s.toString();
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "&" + b;
    }

    private static String query(String params) {
        return params.isEmpty() ? "" : "?" + params;
    }
}
