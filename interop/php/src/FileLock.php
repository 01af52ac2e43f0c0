<?php
declare(strict_types=1);

namespace Satchel;

/**
 * The file store's lock protocol, which PHP's own {@code flock()} cannot join (it takes BSD locks, which do
 * not interact with the POSIX record locks the Java store takes): an exclusive {@code fcntl(F_SETLK)} lock
 * on byte {@code stripe} of {@code satchel.lock}, taken through FFI.
 *
 * FFI must be allowed for this class: with {@code ffi.enable=preload} (PHP's default) preload this file
 * ({@code opcache.preload} = {@code interop/php/preload.php}); or set {@code ffi.enable=true}. The command
 * line may always use it. Linux (x86-64 and arm64, whose {@code struct flock} and constants these are).
 * PHP runs one request per process at a time, so the per-process nature of POSIX locks is no concern; the
 * file is opened per lock and closed after it is released.
 */
final class FileLock
{
    private const F_SETLK = 6;
    private const F_WRLCK = 1;
    private const F_UNLCK = 2;
    private const SEEK_SET = 0;
    private const O_RDONLY = 0;
    private const O_RDWR = 2;
    private const O_CLOEXEC = 0x80000;
    private const EAGAIN = 11;
    private const EACCES = 13;
    private const DECLARATIONS = <<<'C'
        struct flock { short l_type; short l_whence; long l_start; long l_len; int l_pid; };
        int open(const char *path, int flags, ...);
        int fcntl(int fd, int cmd, ...);
        int close(int fd);
        int fsync(int fd);
        int *__errno_location(void);
        C;

    private static ?\FFI $libc = null;

    private function __construct(private readonly int $fd, private readonly int $stripe)
    {
    }

    /**
     * Takes byte {@code $stripe} of lock file {@code $path} (which must exist and be a regular file),
     * waiting at most {@code $timeout} seconds.
     *
     * @throws StoreException if it stays locked, or FFI is not allowed
     */
    public static function acquire(string $path, int $stripe, float $timeout): self
    {
        $libc = self::libc();
        $fd = $libc->open($path, self::O_RDWR | self::O_CLOEXEC);
        if ($fd < 0) {
            throw new StoreException('opening the lock file ' . basename($path) . ' failed (errno ' . self::errno() . ')');
        }
        $deadline = microtime(true) + $timeout;
        $pause = 20;
        while (!self::lock($fd, $stripe, self::F_WRLCK)) {
            $errno = self::errno();
            if (($errno !== self::EAGAIN && $errno !== self::EACCES) || microtime(true) >= $deadline) {
                $libc->close($fd);
                throw new StoreException($errno === self::EAGAIN || $errno === self::EACCES
                    ? "a session stayed locked by another process for more than $timeout s"
                    : "locking a session failed (errno $errno)");
            }
            usleep($pause);
            $pause = min($pause * 2, 1000);
        }
        return new self($fd, $stripe);
    }

    /** Releases the byte and closes the file. */
    public function release(): void
    {
        self::lock($this->fd, $this->stripe, self::F_UNLCK);
        self::libc()->close($this->fd);
    }

    /**
     * Flushes directory {@code $path} to the device ({@code fsync} of the folder), so a rename or deletion in
     * it survives a power failure.
     *
     * @throws StoreException if it fails
     */
    public static function syncDirectory(string $path): void
    {
        $libc = self::libc();
        $fd = $libc->open($path, self::O_RDONLY | self::O_CLOEXEC);
        if ($fd < 0 || $libc->fsync($fd) !== 0) {
            $errno = self::errno();
            if ($fd >= 0) {
                $libc->close($fd);
            }
            throw new StoreException("flushing a shard folder failed (errno $errno)");
        }
        $libc->close($fd);
    }

    private static function lock(int $fd, int $stripe, int $type): bool
    {
        $libc = self::libc();
        $fl = $libc->new('struct flock');
        $fl->l_type = $type;
        $fl->l_whence = self::SEEK_SET;
        $fl->l_start = $stripe;
        $fl->l_len = 1;
        return $libc->fcntl($fd, self::F_SETLK, \FFI::addr($fl)) === 0;
    }

    private static function errno(): int
    {
        return self::libc()->__errno_location()[0];
    }

    private static function libc(): \FFI
    {
        if (self::$libc === null) {
            if (!extension_loaded('ffi')) {
                throw new StoreException('the file store needs PHP\'s FFI extension to take the Java store\'s record locks');
            }
            try {
                self::$libc = \FFI::cdef(self::DECLARATIONS, 'libc.so.6');
            } catch (\FFI\Exception $e) {
                throw new StoreException('the file store needs FFI for its record locks: preload '
                    . 'interop/php/preload.php (opcache.preload) or set ffi.enable=true (' . $e->getMessage() . ')');
            }
        }
        return self::$libc;
    }
}
