<?php
declare(strict_types=1);

namespace Satchel;

/**
 * One request's working copy of a session: a view over an immutable record that remembers which attributes
 * this request set and removed. Values are JSON data: {@see put} converts a value at once (refusing what
 * would not read back, naming the attribute), {@see get} decodes it again. Belongs to one request.
 */
final class Session
{
    /** @var array<string|int, string> attribute name to JSON text, set by this request */
    private array $set = [];
    /** @var array<string|int, true> attributes removed by this request */
    private array $removed = [];
    private bool $principalChanged = false;
    private ?string $principal = null;
    /** @internal */
    public bool $cookieOutdated = false;
    /** @internal */
    public bool $invalidated = false;

    /** @internal sessions come from {@see Sessions::open} */
    public function __construct(private Record $base, private bool $new, private readonly bool $principalAllowed)
    {
    }

    public function id(): string
    {
        return $this->base->id;
    }

    /** Whether this session has never been stored. */
    public function isNew(): bool
    {
        return $this->new;
    }

    /** The record this copy was loaded from, or last saved as. */
    public function record(): Record
    {
        return $this->base;
    }

    public function isModified(): bool
    {
        return $this->set !== [] || $this->removed !== [] || $this->principalChanged;
    }

    /** The user name this session is logged in as, or null. */
    public function principal(): ?string
    {
        return $this->principalChanged ? $this->principal : $this->base->principal;
    }

    /**
     * Logs the session in as {@code $name} (then rotate the id), or out with null.
     *
     * @throws PrincipalIndexNotDefined on a store whose principal index this code cannot keep
     */
    public function setPrincipal(?string $name): void
    {
        if (!$this->principalAllowed) {
            throw new PrincipalIndexNotDefined('this store keeps a principal index whose format the PHP code does not '
                . 'implement yet, so it must not change who is logged in: log in and out on the Java side, or use '
                . 'Redis or PostgreSQL');
        }
        if ($name !== null) {
            Codec::toJson('principal', $name); // refuses what could not be stored
        }
        $this->principalChanged = true;
        $this->principal = $name;
    }

    /** The JSON text of attribute {@code $name}, or null. */
    public function getJson(string $name): ?string
    {
        if (array_key_exists($name, $this->set)) {
            return $this->set[$name];
        }
        return isset($this->removed[$name]) ? null : ($this->base->attrs[$name] ?? null);
    }

    /** The value of attribute {@code $name} (objects as arrays), or {@code $default} when absent. */
    public function get(string $name, mixed $default = null): mixed
    {
        $json = $this->getJson($name);
        return $json === null ? $default : json_decode($json, true, 512);
    }

    public function has(string $name): bool
    {
        return $this->getJson($name) !== null;
    }

    /** Sets attribute {@code $name}, converted to JSON now. */
    public function put(string $name, mixed $value): void
    {
        $this->setJson($name, Codec::toJson($name, $value));
    }

    /** Sets attribute {@code $name} to the JSON text {@code $json}, checked to be one value within the limits. */
    public function putJson(string $name, string $json): void
    {
        Codec::checkName($name);
        try {
            $this->setJson($name, Codec::checkedValue($json, 2));
        } catch (UnreadableEntry $e) {
            throw new \InvalidArgumentException("value of attribute '$name' is not one JSON value within the limits: "
                . $e->getMessage());
        }
    }

    /** Removes attribute {@code $name}; saved even if this copy did not see it. */
    public function remove(string $name): void
    {
        unset($this->set[$name]);
        $this->removed[$name] = true;
    }

    /** @return list<string> the names of the attributes this copy sees, sorted */
    public function names(): array
    {
        $names = [];
        foreach ([...array_keys($this->base->attrs), ...array_keys($this->set)] as $name) {
            if (!isset($this->removed[$name])) {
                $names[(string) $name] = true;
            }
        }
        $names = array_map('strval', array_keys($names));
        sort($names, SORT_STRING);
        return $names;
    }

    /** Never the id, randval or values. */
    public function __debugInfo(): array
    {
        return ['new' => $this->new, 'version' => $this->base->version, 'modified' => $this->isModified()];
    }

    /** @internal */
    public function isEmpty(): bool
    {
        return $this->principal() === null && $this->names() === [];
    }

    /** @internal */
    public function changes(int $now): ChangeSet
    {
        return new ChangeSet($this->base, $now, $this->set, array_map('strval', array_keys($this->removed)),
            $this->principalChanged, $this->principal);
    }

    /** @internal */
    public function saved(Record $stored): void
    {
        $this->base = $stored;
        $this->new = false;
        $this->set = [];
        $this->removed = [];
        $this->principalChanged = false;
        $this->principal = null;
    }

    /** @internal gives a never-stored session new ids */
    public function reissue(): void
    {
        $this->base = $this->base->with(id: Ids::newId(), randval: Ids::newId());
    }

    private function setJson(string $name, string $json): void
    {
        unset($this->removed[$name]);
        $this->set[$name] = $json;
    }
}
