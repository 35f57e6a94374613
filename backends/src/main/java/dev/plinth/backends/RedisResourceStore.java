package dev.plinth.backends;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Resources as Redis strings at {@code plinth:<tenant>:<env>:<kind>:<key>}, with a sorted set
 * {@code plinth:<tenant>:<env>:<kind>:@index} of the keys for ordered, prefix-bounded
 * listing. A put or delete changes both atomically in one Lua script (a script runs alone
 * on the server, and unlike MULTI it is safe on the one connection all threads share).
 * Durability is the server's: the local Redis runs with an fsync-always append-only file.
 */
final class RedisResourceStore implements ResourceStore {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final String name;

    RedisResourceStore(String backendId, String host, int port, int database, char[] password) {
        RedisURI.Builder uri = RedisURI.builder().withHost(host).withPort(port).withDatabase(database)
                .withTimeout(Duration.ofSeconds(2));
        if (password != null) {
            uri.withPassword(password);
        }
        this.name = "backend " + backendId;
        this.client = RedisClient.create(uri.build());
        try {
            this.connection = client.connect();
        } catch (RedisException e) {
            client.shutdown();
            throw new StoreException.BackendUnavailable(name + " (redis " + host + ":" + port + ") is unreachable", e);
        }
    }

    private static String base(Partition p) {
        return "plinth:" + p.tenantId() + ":" + p.env() + ":" + p.kind() + ":";
    }

    private RedisCommands<String, String> redis() {
        return connection.sync();
    }

    @Override
    public Optional<String> get(Partition p, String key) {
        return call(() -> Optional.ofNullable(redis().get(base(p) + Partition.checkKey(key))));
    }

    private static final String PUT = "redis.call('SET', KEYS[1], ARGV[1]); redis.call('ZADD', KEYS[2], 0, ARGV[2]); return 1";
    private static final String DELETE = "local n = redis.call('DEL', KEYS[1]); redis.call('ZREM', KEYS[2], ARGV[1]); return n";

    @Override
    public void put(Partition p, String key, String json) {
        String k = Partition.checkKey(key);
        call(() -> redis().eval(PUT, ScriptOutputType.INTEGER, new String[] {base(p) + k, base(p) + "@index"}, json, k));
    }

    @Override
    public boolean delete(Partition p, String key) {
        String k = Partition.checkKey(key);
        Long n = call(() -> redis().eval(DELETE, ScriptOutputType.INTEGER, new String[] {base(p) + k, base(p) + "@index"}, k));
        return n != null && n > 0;
    }

    @Override
    public List<Item> list(Partition p, String prefix, String startAfter, int limit) {
        return call(() -> {
            Range.Boundary<String> lower = startAfter != null && startAfter.compareTo(prefix) > 0
                    ? Range.Boundary.excluding(startAfter) : Range.Boundary.including(prefix);
            Range<String> range = Range.from(lower, Range.Boundary.excluding(prefix + "\uffff"));
            List<String> keys = redis().zrangebylex(base(p) + "@index", range, Limit.create(0, limit));
            var out = new ArrayList<Item>();
            if (!keys.isEmpty()) {
                List<String> values = redis().mget(keys.stream().map(k -> base(p) + k).toArray(String[]::new))
                        .stream().map(kv -> kv.getValueOrElse(null)).toList();
                for (int i = 0; i < keys.size(); i++) {
                    if (values.get(i) != null) {
                        out.add(new Item(keys.get(i), values.get(i)));
                    }
                }
            }
            return out;
        });
    }

    @FunctionalInterface
    private interface Call<T> {
        T run();
    }

    private <T> T call(Call<T> call) {
        try {
            return call.run();
        } catch (RedisException e) {
            throw new StoreException.BackendUnavailable(name + " (redis) failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
