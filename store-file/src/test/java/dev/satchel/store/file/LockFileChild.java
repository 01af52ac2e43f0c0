package dev.satchel.store.file;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;

/**
 * Child process working on a store's lock file directly, as another program would. Arguments: {@code hold}
 * or {@code probe}, store directory, stripe. {@code hold} locks the stripe's byte, prints {@code locked} and
 * keeps it until a line (or end of input) arrives; {@code probe} prints {@code busy} or {@code free}.
 */
public final class LockFileChild {

    private LockFileChild() {}

    @SuppressWarnings("try") // a resource held for its block, never referenced in it
    public static void main(String[] args) throws Exception {
        Path lockFile = Path.of(args[1]).resolve(SessionFileNames.LOCK_FILE);
        int stripe = Integer.parseInt(args[2]);
        try (FileChannel channel = FileChannel.open(lockFile, READ, WRITE)) {
            if (args[0].equals("hold")) {
                try (FileLock lock = channel.lock(stripe, 1, false)) {
                    System.out.println("locked");
                    System.out.flush();
                    System.in.read();
                }
            } else {
                FileLock lock = channel.tryLock(stripe, 1, false);
                System.out.println(lock == null ? "busy" : "free");
                if (lock != null) {
                    lock.release();
                }
            }
        }
    }
}
