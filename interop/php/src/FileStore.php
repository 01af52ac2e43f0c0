<?php
declare(strict_types=1);

namespace Satchel;

/**
 * Sessions in a directory shared with Satchel's Java file store (one host; not a network file system):
 * {@code <dir>/<2 hex>/<32 hex>.json}, one JSON document per session, named by the hex of the 16 bytes its
 * id encodes; every write a temporary file in the same folder renamed over the old one; {@code create},
 * {@code apply} and {@code delete} under the session's lock, byte {@code int(hex[0:3], 16)} of
 * {@code satchel.lock} ({@see FileLock}), which the Java store takes too. Reads take no lock.
 *
 * A symbolic link in place of a shard folder, a session file or the lock file is refused, never followed
 * (PHP has no directory handles, so this is checked before each use: only someone who can write the store
 * directory could swap one in between). An unreadable or newer-format file is reported and never moved or
 * changed: the Java store deals with it. The principal index ({@code principals/<h[0:2]>/<h>/<hex>}, {@code h}
 * the SHA-256 of the principal's name) is kept by the file store's rules, under the session's lock: an entry is
 * created before a session file first names its principal and removed after the file stopped naming it; the
 * index's {@code complete} marker is never created here (only a Java rebuild does).
 */
final class FileStore implements Store
{
    public const LOCK_FILE = 'satchel.lock';
    /** The principal index's folder in the store directory. */
    public const PRINCIPALS = 'principals';
    /** Latest expiry hint written as a file's modification time (the year 2200), as the Java store caps it. */
    private const LATEST_HINT_MILLIS = 7258118400000;

    private readonly string $root;

    /** @param string $fsync 'none', 'data' (the default) or 'data_and_directory', as the Java store's Fsync */
    public function __construct(string $directory, private readonly string $fsync = 'data', private readonly float $lockTimeout = 10.0)
    {
        if (!in_array($fsync, ['none', 'data', 'data_and_directory'], true)) {
            throw new \InvalidArgumentException("fsync must be 'none', 'data' or 'data_and_directory'");
        }
        if (!is_dir($directory) && !@mkdir($directory, 0700, true) && !is_dir($directory)) {
            throw new StoreException("session directory $directory cannot be created");
        }
        $this->root = realpath($directory);
        $lock = $this->root . '/' . self::LOCK_FILE;
        if (!file_exists($lock) && !is_link($lock) && ($f = @fopen($lock, 'x')) !== false) {
            fclose($f);
            chmod($lock, 0600);
        }
        if (is_link($lock) || !is_file($lock)) {
            throw new StoreException('lock file ' . self::LOCK_FILE . ' is missing, a symbolic link or not a regular file');
        }
    }

    public function load(string $id): ?Record
    {
        $hex = Ids::hex($id);
        $folder = $this->folder($hex, false);
        return $folder === null ? null : $this->read($folder, $hex, $id);
    }

    public function create(Record $record): bool
    {
        return $this->locked($record->id, true, function (string $folder, string $hex) use ($record): bool {
            clearstatcache(true, "$folder/$hex.json");
            if (file_exists("$folder/$hex.json") || is_link("$folder/$hex.json")) {
                return false;
            }
            if ($record->principal !== null) {
                $this->indexAdd($record->principal, $hex); // rule 1: the entry before the file names the principal
            }
            $this->write($folder, $hex, $record);
            return true;
        }) ?? false;
    }

    public function apply(ChangeSet $changes): ?Record
    {
        return $this->locked($changes->sessionId(), false, function (string $folder, string $hex) use ($changes): ?Record {
            $stored = $this->read($folder, $hex, $changes->sessionId());
            if ($stored === null) {
                return null;
            }
            $merged = $changes->applyTo($stored);
            if ($merged === null) {
                $this->unlink($folder, $hex);
                $this->indexRemove($stored->principal, $hex);
                return null;
            }
            if ($merged->principal !== null && $merged->principal !== $stored->principal) {
                $this->indexAdd($merged->principal, $hex);
            }
            $this->write($folder, $hex, $merged);
            if ($stored->principal !== $merged->principal) {
                $this->indexRemove($stored->principal, $hex); // rule 2: after the file stopped naming it
            }
            return $merged;
        });
    }

    /** Deletes the session and then its index entry; an unreadable file is left for the Java store. */
    public function delete(string $id): bool
    {
        return $this->locked($id, false, function (string $folder, string $hex) use ($id): bool {
            try {
                $stored = $this->read($folder, $hex, $id);
            } catch (UnreadableEntry) {
                return false;
            }
            if ($stored === null || !$this->unlink($folder, $hex)) {
                return false;
            }
            $this->indexRemove($stored->principal, $hex);
            return true;
        }) ?? false;
    }

    /** The 64 lowercase hex digits naming a principal's index folder: SHA-256 of its UTF-8 bytes. */
    public static function principalHash(string $principal): string
    {
        return hash('sha256', $principal);
    }

    /**
     * Creates session {@code $hex}'s entry in {@code $principal}'s index folder, making the folders it lacks;
     * again when another writer removed the emptied folder in between.
     */
    private function indexAdd(string $principal, string $hex): void
    {
        $h = self::principalHash($principal);
        $levels = [self::PRINCIPALS, self::PRINCIPALS . '/' . substr($h, 0, 2), self::PRINCIPALS . '/' . substr($h, 0, 2) . "/$h"];
        for ($attempt = 0; $attempt < 5; $attempt++) {
            foreach ($levels as $level) {
                $path = "{$this->root}/$level";
                clearstatcache(true, $path);
                if (!@mkdir($path, 0700) && (is_link($path) || !is_dir($path))) {
                    throw new StoreException('the principal index has a link or a file in place of a folder; the Java '
                        . 'store rebuilds it at its next lookup');
                }
            }
            $entry = "{$this->root}/{$levels[2]}/$hex";
            clearstatcache(true, $entry);
            if (is_link($entry)) {
                throw new StoreException('the principal index has a link in place of an entry; the Java store rebuilds '
                    . 'it at its next lookup');
            }
            if (!file_exists($entry)) {
                $f = @fopen($entry, 'xb'); // O_CREAT|O_EXCL: never through a link planted since the check
                if ($f === false) {
                    clearstatcache();
                    if (!is_dir(dirname($entry))) {
                        continue; // the folder was removed as empty by another writer just now
                    }
                    if (!file_exists($entry) || is_link($entry)) {
                        throw new StoreException('creating a principal index entry failed');
                    }
                } else {
                    fclose($f);
                    chmod($entry, 0600);
                }
            }
            if ($this->fsync !== 'none') {
                FileLock::syncDirectory(dirname($entry));
            }
            return;
        }
        throw new StoreException('a principal index folder keeps vanishing');
    }

    /**
     * Removes session {@code $hex}'s entry from {@code $principal}'s index folder, and the folder once empty.
     * Best effort: an entry left behind is stale, which readers skip and Java lookups delete.
     */
    private function indexRemove(?string $principal, string $hex): void
    {
        if ($principal === null) {
            return;
        }
        $h = self::principalHash($principal);
        $folder = "{$this->root}/" . self::PRINCIPALS . '/' . substr($h, 0, 2) . "/$h";
        clearstatcache();
        if (is_link(dirname($folder)) || is_link($folder) || !is_dir($folder)) {
            return;
        }
        if (file_exists("$folder/$hex") && !is_link("$folder/$hex")) {
            @unlink("$folder/$hex");
        }
        @rmdir($folder); // fails, as it should, while other entries remain
    }

    private function locked(string $id, bool $createFolder, \Closure $work): mixed
    {
        $hex = Ids::hex($id);
        $lock = FileLock::acquire($this->root . '/' . self::LOCK_FILE, hexdec(substr($hex, 0, 3)), $this->lockTimeout);
        try {
            $folder = $this->folder($hex, $createFolder);
            return $folder === null ? null : $work($folder, $hex);
        } finally {
            $lock->release();
        }
    }

    private function folder(string $hex, bool $create): ?string
    {
        $folder = $this->root . '/' . substr($hex, 0, 2);
        clearstatcache(true, $folder);
        if (is_link($folder) || (file_exists($folder) && !is_dir($folder))) {
            throw new StoreException('shard folder ' . substr($hex, 0, 2) . ' is a symbolic link or not a directory');
        }
        if (!is_dir($folder)) {
            if (!$create) {
                return null;
            }
            if (!@mkdir($folder, 0700) && !is_dir($folder)) {
                throw new StoreException('shard folder ' . substr($hex, 0, 2) . ' cannot be created');
            }
        }
        return $folder;
    }

    private function read(string $folder, string $hex, string $id): ?Record
    {
        $path = "$folder/$hex.json";
        clearstatcache(true, $path); // other processes change these files
        $stat = @lstat($path);
        if ($stat === false) {
            return null;
        }
        if (is_link($path) || !is_file($path)) {
            throw new UnreadableEntry('session file is ' . (is_link($path) ? 'a symbolic link' : 'not a regular file'));
        }
        if ($stat['size'] > Codec::MAX_DOCUMENT_BYTES) {
            throw new UnreadableEntry('session file is larger than ' . Codec::MAX_DOCUMENT_BYTES . ' bytes');
        }
        $document = @file_get_contents($path, false, null, 0, Codec::MAX_DOCUMENT_BYTES + 1);
        if ($document === false) {
            if (!file_exists($path)) {
                return null; // deleted since
            }
            throw new StoreException('reading a session file failed');
        }
        $record = Codec::decodeDocument($document);
        if ($record->id !== $id) {
            throw new UnreadableEntry('session file holds the record of another session');
        }
        return $record;
    }

    private function write(string $folder, string $hex, Record $record): void
    {
        $document = Codec::encodeDocument($record);
        // <hex>.<pid>-0.<n>.tmp: the Java store removes it as a leftover once this process is gone.
        $temp = sprintf('%s/%s.%d-0.%d.tmp', $folder, $hex, getmypid(), hrtime(true));
        $f = @fopen($temp, 'xb');
        if ($f === false) {
            throw new StoreException('creating a temporary session file failed');
        }
        try {
            chmod($temp, 0600);
            $ok = fwrite($f, $document) === strlen($document) && fflush($f)
                && ($this->fsync === 'none' || fdatasync($f));
            fclose($f);
            if (!$ok || !rename($temp, "$folder/$hex.json")) {
                throw new StoreException('writing a session file failed');
            }
        } catch (\Throwable $e) {
            @unlink($temp);
            throw $e;
        }
        // The file's time is the session's expiry (to the second below): the Java sweeper skips it until then.
        touch("$folder/$hex.json", intdiv(min($record->expiresAt(), self::LATEST_HINT_MILLIS), 1000));
        if ($this->fsync === 'data_and_directory') {
            FileLock::syncDirectory($folder);
        }
    }

    private function unlink(string $folder, string $hex): bool
    {
        $path = "$folder/$hex.json";
        clearstatcache(true, $path);
        if (!file_exists($path) && !is_link($path)) {
            return false;
        }
        if (is_dir($path) && !is_link($path)) {
            throw new StoreException('session file is a directory; the Java store moves it aside');
        }
        if (!@unlink($path)) {
            clearstatcache(true, $path);
            if (file_exists($path) || is_link($path)) {
                throw new StoreException('deleting a session file failed');
            }
            return false;
        }
        if ($this->fsync === 'data_and_directory') {
            FileLock::syncDirectory($folder);
        }
        return true;
    }
}
