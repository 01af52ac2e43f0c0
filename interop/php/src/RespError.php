<?php
declare(strict_types=1);

namespace Satchel;

/** Redis answered a command with an error. */
final class RespError extends StoreException
{
}
