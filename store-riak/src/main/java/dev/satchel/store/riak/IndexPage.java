package dev.satchel.store.riak;

import dev.satchel.SessionStoreException;
import dev.satchel.spi.SessionCodec;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * One page of a secondary-index query answer, {@code {"keys":[…],"continuation":"…"}}: the matching keys and,
 * when the page was full, the token that asks for the next one.
 */
record IndexPage(List<String> keys, String continuation) {

    /**
     * Reads the JSON answer of a 2i query.
     *
     * @throws SessionStoreException if it is not the expected shape
     */
    static IndexPage parse(byte[] body) {
        List<String> keys = new ArrayList<>();
        String continuation = null;
        try (JsonParser p = SessionCodec.jsonMapper().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw malformed();
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("keys".equals(field) && t == JsonToken.START_ARRAY) {
                    while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
                        keys.add(p.getString());
                    }
                    if (t != JsonToken.END_ARRAY) {
                        throw malformed();
                    }
                } else if ("continuation".equals(field) && t == JsonToken.VALUE_STRING) {
                    continuation = p.getString();
                } else {
                    p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw new SessionStoreException("Riak's index answer is not valid JSON", e);
        }
        return new IndexPage(keys, continuation == null || continuation.isEmpty() ? null : continuation);
    }

    private static SessionStoreException malformed() {
        return new SessionStoreException("Riak's index answer is not {\"keys\":[…]}");
    }
}
