<?php
declare(strict_types=1);

namespace Satchel;

/**
 * A minimal Redis client (RESP2 over a TCP or TLS socket, no extension): commands as arrays of bulk strings,
 * replies as strings, integers, nulls and arrays. One connection, opened on first use.
 */
final class Resp
{
    /** @var resource|null */
    private $socket = null;

    public function __construct(
        private readonly string $host,
        private readonly int $port,
        private readonly bool $tls = false,
        private readonly ?string $user = null,
        #[\SensitiveParameter] private readonly ?string $password = null,
        private readonly int $database = 0,
        private readonly float $timeout = 1.0,
    ) {
    }

    /**
     * Sends one command and returns its reply.
     *
     * @throws RespError if Redis answers with an error
     * @throws StoreException if the connection fails
     */
    public function call(string ...$args): mixed
    {
        if ($this->socket === null) {
            $this->connect();
        }
        $command = '*' . count($args) . "\r\n";
        foreach ($args as $arg) {
            $command .= '$' . strlen($arg) . "\r\n" . $arg . "\r\n";
        }
        for ($written = 0; $written < strlen($command); $written += $n) {
            $n = @fwrite($this->socket, substr($command, $written));
            if ($n === false || $n === 0) {
                $this->close();
                throw new StoreException('writing to Redis failed');
            }
        }
        $reply = $this->reply();
        if ($reply instanceof RespError) {
            throw $reply;
        }
        return $reply;
    }

    public function close(): void
    {
        if ($this->socket !== null) {
            @fclose($this->socket);
            $this->socket = null;
        }
    }

    private function connect(): void
    {
        $socket = @stream_socket_client(($this->tls ? 'tls://' : 'tcp://') . $this->host . ':' . $this->port,
            $errno, $error, $this->timeout);
        if ($socket === false) {
            throw new StoreException("cannot connect to Redis: $error");
        }
        stream_set_timeout($socket, (int) $this->timeout, (int) (fmod($this->timeout, 1) * 1e6));
        $this->socket = $socket;
        if ($this->password !== null) {
            $this->user === null ? $this->call('AUTH', $this->password) : $this->call('AUTH', $this->user, $this->password);
        }
        if ($this->database !== 0) {
            $this->call('SELECT', (string) $this->database);
        }
    }

    private function reply(): mixed
    {
        $line = fgets($this->socket);
        if ($line === false || !str_ends_with($line, "\r\n")) {
            $this->close();
            throw new StoreException('Redis closed the connection or did not answer in time');
        }
        $rest = substr($line, 1, -2);
        switch ($line[0]) {
            case '+':
                return $rest;
            case '-':
                return new RespError($rest);
            case ':':
                return (int) $rest;
            case '$':
                if ((int) $rest < 0) {
                    return null;
                }
                $data = '';
                for ($want = (int) $rest + 2; strlen($data) < $want; $data .= $chunk) {
                    $chunk = fread($this->socket, $want - strlen($data));
                    if ($chunk === false || $chunk === '') {
                        $this->close();
                        throw new StoreException('Redis closed the connection or did not answer in time');
                    }
                }
                return substr($data, 0, -2);
            case '*':
                if ((int) $rest < 0) {
                    return null;
                }
                $items = [];
                for ($i = (int) $rest; $i > 0; $i--) {
                    $items[] = $this->reply();
                }
                foreach ($items as $item) {
                    if ($item instanceof RespError) {
                        throw $item;
                    }
                }
                return $items;
        }
        $this->close();
        throw new StoreException('Redis sent an unexpected reply');
    }
}
