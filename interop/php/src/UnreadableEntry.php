<?php
declare(strict_types=1);

namespace Satchel;

/**
 * A stored entry that is not a readable version-1 session. When {@see $newerFormat} is true it was written by
 * a newer format version: it belongs to a newer writer and is never touched. The message names the defect,
 * never the content.
 */
final class UnreadableEntry extends \RuntimeException
{
    public function __construct(string $message, public readonly bool $newerFormat = false)
    {
        parent::__construct($message);
    }
}
