<?php
declare(strict_types=1);

namespace Satchel;

/**
 * The I/O of one store, as Satchel's Java store SPI has it; no policy (no clock, no expiry decision of its
 * own, no id validation: every id it gets is valid).
 */
interface Store
{
    /**
     * The stored record, expired or not; null if none.
     *
     * @throws UnreadableEntry if an entry exists but cannot be read (it is left as it is)
     */
    public function load(string $id): ?Record;

    /** Stores a new record; false if the id is taken (nothing is overwritten). */
    public function create(Record $record): bool;

    /**
     * Merges {@code $changes} into what is stored now, atomically ({@see ChangeSet::applyTo}); returns the
     * record now stored, or null if the session is absent, expired or ended by this change (an expired or
     * ended entry is deleted).
     *
     * @throws UnreadableEntry if the stored entry cannot be read; nothing is written
     */
    public function apply(ChangeSet $changes): ?Record;

    /** Deletes the session; whether there was one. */
    public function delete(string $id): bool;

    /** Whether this store can log a session in or out (keep its principal index in step). */
    public function canChangePrincipal(): bool;
}
