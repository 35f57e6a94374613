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

    // Each model operation is one Lua script: atomic on the server, safe on the shared connection.
    private static final String INDEX = "redis.call('ZADD', KEYS[2], 0, ARGV[1]);";

    private static final String INCREMENT = """
            local cur = redis.call('GET', KEYS[1]); local n = 0
            if cur then n = tonumber(cjson.decode(cur)['value']) or 0 end
            n = n + tonumber(ARGV[2])
            redis.call('SET', KEYS[1], cjson.encode({value = n})); """ + INDEX + " return n";

    private static final String ACQUIRE = """
            local cur = redis.call('GET', KEYS[1]); local owner = nil; local token = 0; local exp = 0
            if cur then local d = cjson.decode(cur); if d['owner'] ~= cjson.null then owner = d['owner'] end
              token = tonumber(d['fencing_token']) or 0; exp = tonumber(d['expires_at_ms']) or 0 end
            local now = tonumber(ARGV[4])
            if owner and exp > now and owner ~= ARGV[2] then return {0, owner, token, exp} end
            if not (owner == ARGV[2] and exp > now) then token = token + 1 end
            exp = now + tonumber(ARGV[3])
            redis.call('SET', KEYS[1], cjson.encode({owner = ARGV[2], fencing_token = token, expires_at_ms = exp})); """
            + INDEX + " return {1, ARGV[2], token, exp}";

    private static final String CHANGE_LOCK = """
            local cur = redis.call('GET', KEYS[1]); if not cur then return 0 end
            local d = cjson.decode(cur); local now = tonumber(ARGV[4])
            if d['owner'] ~= ARGV[2] or tonumber(d['fencing_token']) ~= tonumber(ARGV[3])
               or (tonumber(d['expires_at_ms']) or 0) <= now then return 0 end
            local exp = tonumber(ARGV[5]); local owner = ARGV[2]
            if exp < 0 then owner = cjson.null; exp = 0 end
            redis.call('SET', KEYS[1], cjson.encode({owner = owner, fencing_token = tonumber(ARGV[3]), expires_at_ms = exp}))
            return 1""";

    private static final String DEBIT = """
            local cur = redis.call('GET', KEYS[1]); local r = 0
            if cur then r = tonumber(cjson.decode(cur)['remaining']) or 0 end
            local a = tonumber(ARGV[2])
            if r < a then return {0, r} end
            r = r - a
            redis.call('SET', KEYS[1], cjson.encode({remaining = r})); """ + INDEX + " return {1, r}";

    private static final String CREDIT = """
            local cur = redis.call('GET', KEYS[1]); local r = 0
            if cur then r = tonumber(cjson.decode(cur)['remaining']) or 0 end
            r = r + tonumber(ARGV[2])
            redis.call('SET', KEYS[1], cjson.encode({remaining = r})); """ + INDEX + " return r";

    // Appends to the sorted set (history) and publishes on the key's channel (live).
    private static final String APPEND = INDEX.replace("KEYS[2]", "KEYS[3]")
            + " redis.call('ZADD', KEYS[1], tonumber(ARGV[2]), ARGV[3]); redis.call('PUBLISH', KEYS[1], ARGV[3]); return 1";

    private static final String TAKE = """
            local cur = redis.call('GET', KEYS[1]); local cap = tonumber(ARGV[2]); local rate = tonumber(ARGV[3])
            local want = tonumber(ARGV[4]); local now = tonumber(ARGV[5]); local avail = cap; local upd = now
            if cur then local d = cjson.decode(cur); avail = tonumber(d['tokens']); upd = tonumber(d['updated_ms']) end
            avail = math.min(cap, avail + math.max(0, now - upd) / 1000.0 * rate)
            local ok = 0
            if avail >= want then avail = avail - want; ok = 1 end
            redis.call('SET', KEYS[1], cjson.encode({tokens = avail, updated_ms = now})); """ + INDEX
            + " return {ok, tostring(avail)}";

    @Override
    public void append(Partition p, String key, String json, long atMillis) {
        String k = Partition.checkKey(key);
        // Members are unique: time, a random id, then the event; the score orders them by time.
        String member = atMillis + ":" + java.util.UUID.randomUUID() + ":" + json;
        call(() -> redis().eval(APPEND, ScriptOutputType.INTEGER,
                new String[] {base(p) + k + ":@events", base(p) + "@index", base(p) + "@index"}, k, String.valueOf(atMillis), member));
    }

    @Override
    public List<Event> range(Partition p, String key, long fromMillis, long toMillis, int limit) {
        String k = Partition.checkKey(key);
        List<String> members = call(() -> redis().zrangebyscore(base(p) + k + ":@events",
                Range.from(Range.Boundary.including(fromMillis), Range.Boundary.excluding(toMillis)), Limit.create(0, limit)));
        var out = new ArrayList<Event>();
        for (String m : members) {
            out.add(event(m));
        }
        return out;
    }

    /**
     * Subscribes to the key's channel first, then replays the history from
     * {@code fromMillis}, so nothing appended in between is lost (it may come twice).
     */
    @Override
    public AutoCloseable subscribe(Partition p, String key, long fromMillis, java.util.function.Consumer<Event> onEvent) {
        String channel = base(p) + Partition.checkKey(key) + ":@events";
        var pubsub = call(() -> client.connectPubSub());
        pubsub.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
            @Override
            public void message(String ch, String member) {
                onEvent.accept(event(member));
            }
        });
        call(() -> {
            pubsub.sync().subscribe(channel);
            return null;
        });
        for (Event e : range(p, key, fromMillis, Long.MAX_VALUE / 2, 10_000)) {
            onEvent.accept(e);
        }
        return pubsub::close;
    }

    private static Event event(String member) {
        int first = member.indexOf(':');
        int second = member.indexOf(':', first + 1);
        return new Event(Long.parseLong(member.substring(0, first)), member.substring(second + 1));
    }

    @Override
    public Take take(Partition p, String key, long capacity, double refillPerSecond, long tokens, long nowMillis) {
        List<Object> r = call(() -> redis().eval(TAKE, ScriptOutputType.MULTI, keys(p, key), key, String.valueOf(capacity),
                String.valueOf(refillPerSecond), String.valueOf(tokens), String.valueOf(nowMillis)));
        return new Take(((Long) r.get(0)) == 1, Double.parseDouble((String) r.get(1)));
    }

    private String[] keys(Partition p, String key) {
        return new String[] {base(p) + Partition.checkKey(key), base(p) + "@index"};
    }

    @Override
    public long increment(Partition p, String key, long by) {
        Long n = call(() -> redis().eval(INCREMENT, ScriptOutputType.INTEGER, keys(p, key), key, String.valueOf(by)));
        return n;
    }

    @Override
    public LockState acquire(Partition p, String key, String owner, long ttlMillis, long nowMillis) {
        List<Object> r = call(() -> redis().eval(ACQUIRE, ScriptOutputType.MULTI, keys(p, key), key, owner,
                String.valueOf(ttlMillis), String.valueOf(nowMillis)));
        return new LockState(((Long) r.get(0)) == 1, (String) r.get(1), (Long) r.get(2), (Long) r.get(3));
    }

    @Override
    public boolean renew(Partition p, String key, String owner, long token, long ttlMillis, long nowMillis) {
        Long r = call(() -> redis().eval(CHANGE_LOCK, ScriptOutputType.INTEGER, keys(p, key), key, owner,
                String.valueOf(token), String.valueOf(nowMillis), String.valueOf(nowMillis + ttlMillis)));
        return r == 1;
    }

    @Override
    public boolean release(Partition p, String key, String owner, long token, long nowMillis) {
        Long r = call(() -> redis().eval(CHANGE_LOCK, ScriptOutputType.INTEGER, keys(p, key), key, owner,
                String.valueOf(token), String.valueOf(nowMillis), "-1"));
        return r == 1;
    }

    @Override
    public Debit debit(Partition p, String key, long amount) {
        List<Object> r = call(() -> redis().eval(DEBIT, ScriptOutputType.MULTI, keys(p, key), key, String.valueOf(amount)));
        return new Debit(((Long) r.get(0)) == 1, (Long) r.get(1));
    }

    @Override
    public long credit(Partition p, String key, long amount) {
        Long r = call(() -> redis().eval(CREDIT, ScriptOutputType.INTEGER, keys(p, key), key, String.valueOf(amount)));
        return r;
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
