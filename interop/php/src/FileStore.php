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
 * changed: the Java store deals with it. The file store's principal index has no defined format yet, so
 * this store refuses to log a session in or out ({@see canChangePrincipal()}).
 */
final class FileStore implements Store
{
    public const LOCK_FILE = 'satchel.lock';
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

    public function canChangePrincipal(): bool
    {
        return false;
    }

    public function load(string $id): ?Record
    {
        $hex = Ids::hex($id);
        $folder = $this->folder($hex, false);
        return $folder === null ? null : $this->read($folder, $hex, $id);
    }

    public function create(Record $record): bool
    {
        if ($record->principal !== null) {
            $this->principalChanged($record->id, null, $record->principal);
        }
        return $this->locked($record->id, true, function (string $folder, string $hex) use ($record): bool {
            clearstatcache(true, "$folder/$hex.json");
            if (file_exists("$folder/$hex.json") || is_link("$folder/$hex.json")) {
                return false;
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
                return null;
            }
            if ($merged->principal !== $stored->principal) {
                $this->principalChanged($stored->id, $stored->principal, $merged->principal);
            }
            $this->write($folder, $hex, $merged);
            return $merged;
        });
    }

    public function delete(string $id): bool
    {
        return $this->locked($id, false, fn (string $folder, string $hex): bool => $this->unlink($folder, $hex)) ?? false;
    }

    /**
     * Where a principal index would be kept in step, under the session's lock, before the document is
     * written. Its format is not defined yet: refuse, so no session is logged in without an index entry.
     */
    private function principalChanged(string $id, ?string $old, ?string $new): never
    {
        throw new PrincipalIndexNotDefined('the file store\'s principal index has no defined format yet, so PHP must '
            . 'not log a session in or out there: do it on the Java side, or use Redis or PostgreSQL');
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
