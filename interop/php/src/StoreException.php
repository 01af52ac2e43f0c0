<?php
declare(strict_types=1);

namespace Satchel;

/**
 * A store failed (unreachable, timed out, refused); nothing was half written. Messages never hold a session
 * id, cookie, randval or password.
 */
class StoreException extends \RuntimeException
{
}
