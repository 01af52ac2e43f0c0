package dev.satchel.demo;

/** The demo's pages: one small template, every inserted text escaped. */
final class Html {

    private Html() {}

    /** {@code text} with every character that means something in HTML replaced by its entity. */
    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '&': b.append("&amp;"); break;
                case '"': b.append("&quot;"); break;
                case '\'': b.append("&#39;"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }

    /** A whole page; {@code heading} and {@code message} are escaped here. */
    static String page(String heading, String message) {
        return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Satchel demo</title></head>\n"
                + "<body><h1>" + escape(heading) + "</h1>\n<p>" + escape(message) + "</p>\n"
                + "<nav><a href=\"/\">home</a> | <a href=\"/count\">count</a> | "
                + "<a href=\"/login?user=alice\">log in as alice</a> | <a href=\"/logout\">log out</a> | "
                + "<a href=\"/stats\">cache statistics</a></nav></body></html>\n";
    }
}
