<?php
declare(strict_types=1);

namespace Satchel;

/**
 * Saving the session was refused before anything was written: its document would exceed the maximum session
 * size (what is stored must always read back). The message names the size and the limit, never a value.
 */
final class SessionTooLarge extends StoreException
{
}
