package dev.satchel.store.redis;

import dev.satchel.testkit.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A Redis Cluster of three masters and three replicas on free loopback ports, built the way an operator
 * does ({@code redis-server --cluster-enabled yes}, then {@code redis-cli --cluster create ...
 * --cluster-replicas 1}), with a short node timeout (one second) so a failover takes seconds. One cluster
 * serves every test class that asks for it (as a parameter of a {@code @BeforeAll} method, through this
 * class as an extension) and is stopped when the test run ends.
 */
final class RedisClusterFixture implements AutoCloseable {

    private static final int NODES = 6;

    private final List<RedisServer> nodes;
    private RedisClusterClient admin;

    private RedisClusterFixture(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    static RedisClusterFixture start() {
        List<RedisServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < NODES; i++) {
                nodes.add(RedisServer.startClusterNode("--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
                        // A replica that lost its master for a while may still be promoted: tests kill masters.
                        "--cluster-replica-validity-factor", "0"));
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            for (RedisServer n : nodes) {
                create.add(n.address());
            }
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            run(create, nodes.get(0).dir().resolve("cluster-create.log"));
            RedisClusterFixture cluster = new RedisClusterFixture(nodes);
            cluster.awaitHealthy();
            return cluster;
        } catch (RuntimeException | Error e) {
            nodes.forEach(RedisServer::close);
            throw e;
        }
    }

    /** Every node as {@code host:port}, to pass as seeds. */
    String[] seeds() {
        return nodes.stream().map(RedisServer::address).toArray(String[]::new);
    }

    /** A cluster client of the fixture's own, for backdoor commands; closed with the fixture. */
    synchronized UnifiedJedis admin() {
        if (admin == null) {
            Set<HostAndPort> seeds = new HashSet<>();
            nodes.forEach(n -> seeds.add(n.hostAndPort()));
            admin = RedisClusterClient.builder().nodes(seeds)
                    .clientConfig(DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP2).build()).build();
        }
        return admin;
    }

    /** The running master that owns {@code key}'s slot. */
    RedisServer masterOf(String key) {
        for (RedisServer n : nodes) {
            if (!n.isAlive()) {
                continue;
            }
            try (Jedis j = n.admin()) {
                if (!j.info("replication").contains("role:master")) {
                    continue;
                }
                long slot = j.clusterKeySlot(key);
                for (String line : j.clusterNodes().split("\n")) {
                    String[] f = line.split(" ");
                    if (f[2].contains("myself") && owns(f, slot)) {
                        return n;
                    }
                }
            }
        }
        throw new AssertionError("no running master owns the slot of the key");
    }

    /**
     * Waits until the cluster serves every slot, every node agrees, and every master has a replica that is
     * in sync: the state a failover test needs before it kills a master.
     */
    void awaitHealthy() {
        Await.until("the cluster is healthy with a synced, online replica per master", RedisServer.STARTUP, () -> {
            int masters = 0;
            int syncedReplicas = 0;
            for (RedisServer n : nodes) {
                if (!n.isAlive()) {
                    return false;
                }
                try (Jedis j = n.admin()) {
                    String info = j.clusterInfo();
                    if (!info.contains("cluster_state:ok") || !info.contains("cluster_slots_ok:16384")) {
                        return false;
                    }
                    String replication = j.info("replication");
                    if (replication.contains("role:master")) {
                        // Counted only once its replica is online there: until then WAIT counts nobody.
                        if (!replication.contains("state=online")) {
                            return false;
                        }
                        masters++;
                    } else if (replication.contains("master_link_status:up")) {
                        syncedReplicas++;
                    }
                } catch (JedisException e) {
                    return false;
                }
            }
            return masters == NODES / 2 && syncedReplicas == NODES / 2;
        });
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close();
        }
        nodes.forEach(RedisServer::close);
    }

    private static boolean owns(String[] nodeLine, long slot) {
        for (int i = 8; i < nodeLine.length; i++) {
            String range = nodeLine[i];
            if (range.startsWith("[")) {
                continue; // a slot being migrated
            }
            int dash = range.indexOf('-');
            long from = Long.parseLong(dash < 0 ? range : range.substring(0, dash));
            long to = dash < 0 ? from : Long.parseLong(range.substring(dash + 1));
            if (slot >= from && slot <= to) {
                return true;
            }
        }
        return false;
    }

    private static void run(List<String> command, Path log) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(RedisServer.STARTUP.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("redis-cli --cluster create did not finish");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("redis-cli --cluster create failed:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run redis-cli (is it installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted creating the cluster");
        }
    }

    /** Hands the one shared cluster to {@code @BeforeAll} methods; JUnit closes it at the end of the run. */
    static final class Shared implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == RedisClusterFixture.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getRoot().getStore(ExtensionContext.Namespace.create(RedisClusterFixture.class))
                    .computeIfAbsent(RedisClusterFixture.class, k -> start(), RedisClusterFixture.class);
        }
    }
}
