package dev.satchel.interop;

import java.net.URI;

/** One app serving the shared session: the Java side or another language's test app. */
interface Side {
    URI uri();
}
