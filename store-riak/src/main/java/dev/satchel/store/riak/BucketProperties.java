package dev.satchel.store.riak;

import dev.satchel.SessionStoreException;
import dev.satchel.spi.SessionCodec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The properties of the sessions bucket as Riak reports them ({@code GET …/props}), and the checks the store
 * makes of them: the bucket must keep concurrent writes as siblings ({@code allow_mult=true},
 * {@code last_write_wins=false}) unless the user accepted the loss, and every quorum must fit its
 * {@code n_val}, with {@code pr} and {@code pw} a majority. {@link Check} reads and checks them once. Immutable.
 */
final class BucketProperties {

    /**
     * The check of one bucket, made once: at start-up when a node answers, else before the store's first
     * operation (until it succeeds every operation makes it, and fails as it does). Thread-safe.
     */
    static final class Check {
        private final String bucketType;
        private final String bucket;
        private final RiakSessionManager.SiblingPolicy policy;
        private final Quorum[] quorums; // r, pr, w, pw, dw, rw
        private volatile BucketProperties passed;

        Check(String bucketType, String bucket, RiakSessionManager.SiblingPolicy policy, Quorum r, Quorum pr, Quorum w,
                Quorum pw, Quorum dw, Quorum rw) {
            this.bucketType = bucketType;
            this.bucket = bucket;
            this.policy = policy;
            this.quorums = new Quorum[] {r, pr, w, pw, dw, rw};
        }

        /**
         * The bucket's properties, read and checked the first time.
         *
         * @throws SessionStoreException if the bucket is refused (see {@link BucketProperties#check})
         * @throws dev.satchel.SessionStoreUnavailableException if no node answers
         */
        BucketProperties passed(RiakNodes nodes, RiakRequests requests) {
            BucketProperties p = passed;
            if (p != null) {
                return p;
            }
            synchronized (this) {
                if (passed == null) {
                    BucketProperties read = read(nodes, requests, bucketType, bucket);
                    read.check(policy, quorums[0], quorums[1], quorums[2], quorums[3], quorums[4], quorums[5]);
                    passed = read;
                }
                return passed;
            }
        }
    }

    private final String where;
    private final boolean allowMult;
    private final boolean lastWriteWins;
    private final int nVal;

    private BucketProperties(String where, boolean allowMult, boolean lastWriteWins, int nVal) {
        this.where = where;
        this.allowMult = allowMult;
        this.lastWriteWins = lastWriteWins;
        this.nVal = nVal;
    }

    /**
     * Reads the properties of the bucket {@code requests} address.
     *
     * @throws dev.satchel.SessionStoreUnavailableException if no node answers
     * @throws SessionStoreException if the bucket type does not exist or the answer is not bucket properties
     */
    static BucketProperties read(RiakNodes nodes, RiakRequests requests, String bucketType, String bucket) {
        String type = bucketType == null ? "default" : bucketType;
        String where = "bucket '" + bucket + "' of bucket type '" + type + "'";
        RiakResponse r = nodes.send(requests.props(), null);
        if (r.status == 404) {
            throw new SessionStoreException("Riak has no active bucket type '" + type + "' (" + r.describe(null)
                    + "). Create and activate one that keeps siblings:\n" + createCommands(type));
        }
        if (r.status != 200) {
            throw new SessionStoreException("Riak refused to read the properties of " + where + ": " + r.describe(null));
        }
        JsonNode props;
        try {
            props = SessionCodec.jsonMapper().readTree(r.body).get("props");
        } catch (JacksonException e) {
            throw new SessionStoreException("Riak's answer for the properties of " + where + " is not JSON", e);
        }
        if (props == null || !props.isObject()) {
            throw new SessionStoreException("Riak's answer for the properties of " + where + " has no \"props\"");
        }
        JsonNode n = props.get("n_val");
        return new BucketProperties(where, flag(props, "allow_mult"), flag(props, "last_write_wins"),
                n != null && n.canConvertToInt() ? n.asInt() : 3);
    }

    /** Whether Riak keeps concurrent writes as siblings in this bucket, so nothing acknowledged is lost. */
    boolean keepsSiblings() {
        return allowMult && !lastWriteWins;
    }

    /** The bucket's replica count. */
    int nVal() {
        return nVal;
    }

    /**
     * Refuses a bucket that drops concurrent writes unless {@code policy} accepts it, and quorums Riak would
     * refuse or that would let a live session read as absent.
     *
     * @throws SessionStoreException saying what is wrong and how to fix it
     */
    void check(RiakSessionManager.SiblingPolicy policy, Quorum r, Quorum pr, Quorum w, Quorum pw, Quorum dw, Quorum rw) {
        if (!keepsSiblings() && policy != RiakSessionManager.SiblingPolicy.ACCEPT_LOSSY_LAST_WRITE_WINS) {
            throw new SessionStoreException("Riak's " + where + " has " + (lastWriteWins ? "last_write_wins=true"
                    : "allow_mult=false") + ": it keeps one of two concurrent writes and drops the other, so"
                    + " concurrent updates of a session are lost and a removed session can come back (measured on"
                    + " OpenRiak 3.2.2 with two app servers: 23-33 % of acknowledged concurrent updates lost; 8 of"
                    + " 40 sessions removed during concurrent updates came back). Create a bucket type that keeps"
                    + " siblings and pass its name to bucketType(...):\n" + createCommands("sessions")
                    + "\nor accept the loss with siblingPolicy(SiblingPolicy.ACCEPT_LOSSY_LAST_WRITE_WINS).");
        }
        fits("r", r);
        fits("w", w);
        fits("dw", dw);
        fits("rw", rw);
        majority("pr", pr);
        majority("pw", pw);
    }

    private void fits(String name, Quorum q) {
        int n = q.replicas(nVal);
        if (n > nVal) {
            throw new SessionStoreException(name + " is " + q + " but " + where + " has n_val=" + nVal
                    + ": Riak would refuse every request");
        }
    }

    private void majority(String name, Quorum q) {
        fits(name, q);
        if (q.replicas(nVal) <= nVal / 2) {
            throw new SessionStoreException(name + " is " + q + " but must be a majority of the " + nVal
                    + " replicas of " + where + " (QUORUM, ALL or more than " + (nVal / 2) + "), so that a live"
                    + " session is never read as absent");
        }
    }

    private static boolean flag(JsonNode props, String name) {
        JsonNode v = props.get(name);
        return v != null && v.isBoolean() && v.booleanValue();
    }

    /** The commands that create and activate a bucket type that keeps siblings (riak-admin on Riak 2). */
    static String createCommands(String type) {
        return "  riak admin bucket-type create " + type + " '{\"props\":{\"allow_mult\":true,\"last_write_wins\":false}}'\n"
                + "  riak admin bucket-type activate " + type + "\n(riak-admin instead of riak admin on Riak 2.x)";
    }
}
