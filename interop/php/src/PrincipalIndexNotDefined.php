<?php
declare(strict_types=1);

namespace Satchel;

/**
 * The store keeps a principal index whose format this code does not implement, so it must not log a session
 * in or out (docs/format.md says which stores).
 */
final class PrincipalIndexNotDefined extends \LogicException
{
}
