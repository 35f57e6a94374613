package dev.plinth.backends;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Resources as Redis strings at {@code plinth:<tenant>:<env>:<kind>:<key>}, with a sorted set
 * {@code plinth:<tenant>:<env>:<kind>:@index} of the keys for ordered, prefix-bounded
 * listing. A put or delete changes both atomically in one Lua script (a script runs alone
 * on the server, and unlike MULTI it is safe on the one connection all threads share).
 * Durability is the server's: the local Redis runs with an fsync-always append-only file.
 *
 * <p>Design note: numbers and outcomes. Lua numbers are doubles, and Redis's cjson encodes
 * them with 14 significant digits, so numbers are written into the stored JSON with
 * {@code %.0f} (exact up to 2^53) and every result is checked against
 * {@link ResourceStore#MAX_EXACT} before anything is written: counters and budgets answer
 * the same as on Firestore. Commands are rejected, not queued, while the connection is down
 * (nothing sent: {@link StoreException.BackendUnavailable}); a command sent and not answered
 * within the timeout may still run when a frozen server resumes, so it is
 * {@link StoreException.OutcomeUnknown}, and until the server answers a probe again, new
 * writes are refused before they are sent rather than piled up behind it.
 */
final class RedisResourceStore implements ResourceStore {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final String name;
    /** Set when a sent write went unanswered; cleared by the next successful probe. */
    private volatile boolean suspect;

    RedisResourceStore(String backendId, String host, int port, int database, char[] password) {
        this(backendId, host, port, database, password, false, null);
    }

    /**
     * @param tls           connect over TLS, verifying the server's certificate and host name
     * @param caCertificate PEM of the CA to check the server's certificate against, or null for the JVM's trusted CAs
     */
    RedisResourceStore(String backendId, String host, int port, int database, char[] password, boolean tls, String caCertificate) {
        RedisURI.Builder uri = RedisURI.builder().withHost(host).withPort(port).withDatabase(database).withTimeout(TIMEOUT);
        if (password != null) {
            uri.withPassword(password);
        }
        if (tls) {
            uri.withSsl(true).withVerifyPeer(io.lettuce.core.SslVerifyMode.FULL);
        }
        this.name = "backend " + backendId;
        this.client = RedisClient.create(uri.build());
        var options = ClientOptions.builder().disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
        if (tls && caCertificate != null) {
            byte[] pem = caCertificate.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            options.sslOptions(io.lettuce.core.SslOptions.builder().jdkSslProvider()
                    .trustManager(() -> new java.io.ByteArrayInputStream(pem)).build());
        }
        client.setOptions(options.build());
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

    private static String idemKey(Partition p, Idempotency idem) {
        return "plinth:" + p.tenantId() + ":" + p.env() + ":@idem:" + idem.id();
    }

    private RedisCommands<String, String> redis() {
        return connection.sync();
    }

    @Override
    public Optional<String> get(Partition p, String key) {
        return read(() -> Optional.ofNullable(redis().get(base(p) + Partition.checkKey(key))));
    }

    /**
     * Wraps a mutation script so that its idempotency record is read and written in the same
     * script. The last key is the record's key, the last three arguments the idempotency id
     * ('' for none), digest and TTL; the body returns a flat table of numbers and strings,
     * which the record keeps in JSON with exact numbers.
     */
    private static String idempotent(String body) {
        return """
                local idem = ARGV[#ARGV - 2]; local digest = ARGV[#ARGV - 1]; local ttl = ARGV[#ARGV]; local ik = KEYS[#KEYS]
                if idem ~= '' then
                  local prior = redis.call('GET', ik)
                  if prior then
                    local d = cjson.decode(prior)
                    if d['digest'] ~= digest then return redis.error_reply('IDEMPOTENCY_KEY_REUSED') end
                    return d['result']
                  end
                end
                local result = (function()
                """ + body + """

                end)()
                if idem ~= '' and type(result) == 'table' and result['err'] == nil then
                  local parts = {}
                  for i, v in ipairs(result) do
                    if type(v) == 'number' then parts[i] = string.format('%.0f', v) else parts[i] = cjson.encode(v) end
                  end
                  redis.call('SET', ik, '{"digest":' .. cjson.encode(digest) .. ',"result":[' .. table.concat(parts, ',') .. ']}', 'PX', ttl)
                end
                return result""";
    }

    /** Exact integer text for stored JSON; and the range check every numeric result passes first. */
    private static final String NUM = """
            local function num(n) return string.format('%.0f', n) end
            local MAX = 9007199254740991
            local function exact(n) if n > MAX or n < -MAX then return false end return true end
            """;
    private static final String INDEX = "redis.call('ZADD', KEYS[2], 0, ARGV[1]);";

    private static final String PUT = idempotent("redis.call('SET', KEYS[1], ARGV[2]); " + INDEX + " return {1}");
    private static final String DELETE = idempotent(
            "local n = redis.call('DEL', KEYS[1]); redis.call('ZREM', KEYS[2], ARGV[1]); return {n}");

    private static final String INCREMENT = idempotent(NUM + """
            local cur = redis.call('GET', KEYS[1]); local n = 0
            if cur then n = tonumber(cjson.decode(cur)['value']) or 0 end
            n = n + tonumber(ARGV[2])
            if not exact(n) then return redis.error_reply('INTEGER_OVERFLOW') end
            redis.call('SET', KEYS[1], '{"value":' .. num(n) .. '}'); """ + INDEX + " return {n}");

    private static final String ACQUIRE = idempotent(NUM + """
            local cur = redis.call('GET', KEYS[1]); local owner = nil; local token = 0; local exp = 0
            if cur then local d = cjson.decode(cur); if d['owner'] ~= cjson.null then owner = d['owner'] end
              token = tonumber(d['fencing_token']) or 0; exp = tonumber(d['expires_at_ms']) or 0 end
            local now = tonumber(ARGV[4])
            if owner and exp > now and owner ~= ARGV[2] then return {0, owner, token, exp} end
            if not (owner == ARGV[2] and exp > now) then token = token + 1 end
            if not exact(token) then return redis.error_reply('INTEGER_OVERFLOW') end
            exp = now + tonumber(ARGV[3])
            redis.call('SET', KEYS[1], '{"owner":' .. cjson.encode(ARGV[2]) .. ',"fencing_token":' .. num(token)
              .. ',"expires_at_ms":' .. num(exp) .. '}'); """ + INDEX + " return {1, ARGV[2], token, exp}");

    private static final String CHANGE_LOCK = idempotent(NUM + """
            local cur = redis.call('GET', KEYS[1]); if not cur then return {0} end
            local d = cjson.decode(cur); local now = tonumber(ARGV[4])
            if d['owner'] ~= ARGV[2] or tonumber(d['fencing_token']) ~= tonumber(ARGV[3])
               or (tonumber(d['expires_at_ms']) or 0) <= now then return {0} end
            local exp = tonumber(ARGV[5]); local owner = cjson.encode(ARGV[2])
            if exp < 0 then owner = 'null'; exp = 0 end
            redis.call('SET', KEYS[1], '{"owner":' .. owner .. ',"fencing_token":' .. num(tonumber(ARGV[3]))
              .. ',"expires_at_ms":' .. num(exp) .. '}')
            return {1}""");

    private static final String DEBIT = idempotent(NUM + """
            local cur = redis.call('GET', KEYS[1]); local r = 0
            if cur then r = tonumber(cjson.decode(cur)['remaining']) or 0 end
            local a = tonumber(ARGV[2])
            if r < a then return {0, r} end
            r = r - a
            redis.call('SET', KEYS[1], '{"remaining":' .. num(r) .. '}'); """ + INDEX + " return {1, r}");

    private static final String CREDIT = idempotent(NUM + """
            local cur = redis.call('GET', KEYS[1]); local r = 0
            if cur then r = tonumber(cjson.decode(cur)['remaining']) or 0 end
            r = r + tonumber(ARGV[2])
            if not exact(r) then return redis.error_reply('INTEGER_OVERFLOW') end
            redis.call('SET', KEYS[1], '{"remaining":' .. num(r) .. '}'); """ + INDEX + " return {r}");

    // Appends to the sorted set (history) and publishes on the key's channel (live).
    private static final String APPEND = idempotent(INDEX.replace("KEYS[2]", "KEYS[3]")
            + " redis.call('ZADD', KEYS[1], tonumber(ARGV[2]), ARGV[3]); redis.call('PUBLISH', KEYS[1], ARGV[3]); return {1}");

    private static final String TAKE = idempotent("""
            local cur = redis.call('GET', KEYS[1]); local cap = tonumber(ARGV[2]); local rate = tonumber(ARGV[3])
            local want = tonumber(ARGV[4]); local now = tonumber(ARGV[5]); local avail = cap; local upd = now
            if cur then local d = cjson.decode(cur); avail = tonumber(d['tokens']); upd = tonumber(d['updated_ms']) end
            avail = math.min(cap, avail + math.max(0, now - upd) / 1000.0 * rate)
            local ok = 0
            if avail >= want then avail = avail - want; ok = 1 end
            redis.call('SET', KEYS[1], cjson.encode({tokens = avail, updated_ms = now})); """ + INDEX
            + " return {ok, tostring(avail)}");

    /** Runs a wrapped mutation script: keys, then the record's key; arguments, then the record's three. */
    private List<Object> mutate(String script, Partition p, Idempotency idem, String[] keys, String... args) {
        String[] allKeys = java.util.Arrays.copyOf(keys, keys.length + 1);
        allKeys[keys.length] = idem == null ? base(p) + "@no-idem" : idemKey(p, idem);
        String[] allArgs = java.util.Arrays.copyOf(args, args.length + 3);
        allArgs[args.length] = idem == null ? "" : idem.id();
        allArgs[args.length + 1] = idem == null ? "" : idem.digest();
        allArgs[args.length + 2] = idem == null ? "1" : String.valueOf(idem.ttlMillis());
        probeIfSuspect();
        try {
            List<Object> out = redis().eval(script, ScriptOutputType.MULTI, allKeys, allArgs);
            suspect = false;
            return out;
        } catch (RedisCommandExecutionException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("INTEGER_OVERFLOW")) {
                throw new StoreException.Overflow(p.kind() + "/" + args[0] + ": the result would leave the exact integer range ±" + MAX_EXACT);
            }
            if (m.contains("IDEMPOTENCY_KEY_REUSED")) {
                throw new StoreException.IdempotencyConflict("the idempotency key was used for a different request");
            }
            throw new StoreException.InvalidValue(name + " (redis) refused the command: " + m, e);
        } catch (RedisCommandTimeoutException e) {
            suspect = true;
            throw new StoreException.OutcomeUnknown(name + " (redis) did not answer within " + TIMEOUT.toMillis()
                    + " ms after the write was sent; it may or may not have been applied (retry with the same Idempotency-Key)", e);
        } catch (RedisException e) {
            if (notSent(e)) {
                throw new StoreException.BackendUnavailable(name + " (redis) is not connected; nothing was sent: " + e.getMessage(), e);
            }
            suspect = true;
            throw new StoreException.OutcomeUnknown(name + " (redis) failed after the write was sent: " + e.getMessage(), e);
        }
    }

    /** Lettuce rejects a command while disconnected (REJECT_COMMANDS) or fails to connect: nothing went out. */
    private static boolean notSent(RedisException e) {
        return e instanceof RedisConnectionException || String.valueOf(e.getMessage()).contains("not connected");
    }

    /** After an unanswered write, a write is sent only once the server answers again, so none piles up behind a frozen one. */
    private void probeIfSuspect() {
        if (!suspect) {
            return;
        }
        try {
            connection.async().ping().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            suspect = false;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new StoreException.BackendUnavailable(name + " (redis) does not answer; the write was not sent", e);
        }
    }

    private static long integer(Object o) {
        return (Long) o;
    }

    private String[] keys(Partition p, String key) {
        return new String[] {base(p) + Partition.checkKey(key), base(p) + "@index"};
    }

    @Override
    public void put(Partition p, String key, String json, Idempotency idem) {
        mutate(PUT, p, idem, keys(p, key), key, json);
    }

    @Override
    public boolean delete(Partition p, String key, Idempotency idem) {
        return integer(mutate(DELETE, p, idem, keys(p, key), key).get(0)) > 0;
    }

    @Override
    public List<Item> list(Partition p, String prefix, String startAfter, int limit) {
        return read(() -> {
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

    @Override
    public void append(Partition p, String key, String json, long atMillis, Idempotency idem) {
        String k = Partition.checkKey(key);
        // Members are unique: time, a random id, then the event; the score orders them by time.
        String member = atMillis + ":" + java.util.UUID.randomUUID() + ":" + json;
        mutate(APPEND, p, idem, new String[] {base(p) + k + ":@events", base(p) + "@index", base(p) + "@index"},
                k, String.valueOf(atMillis), member);
    }

    @Override
    public List<Event> range(Partition p, String key, long fromMillis, long toMillis, int limit) {
        String k = Partition.checkKey(key);
        List<String> members = read(() -> redis().zrangebyscore(base(p) + k + ":@events",
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
        var pubsub = read(() -> client.connectPubSub());
        pubsub.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
            @Override
            public void message(String ch, String member) {
                onEvent.accept(event(member));
            }
        });
        read(() -> {
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
    public Take take(Partition p, String key, long capacity, double refillPerSecond, long tokens, long nowMillis, Idempotency idem) {
        List<Object> r = mutate(TAKE, p, idem, keys(p, key), key, String.valueOf(capacity),
                String.valueOf(refillPerSecond), String.valueOf(tokens), String.valueOf(nowMillis));
        return new Take(integer(r.get(0)) == 1, Double.parseDouble((String) r.get(1)));
    }

    @Override
    public long increment(Partition p, String key, long by, Idempotency idem) {
        return integer(mutate(INCREMENT, p, idem, keys(p, key), key, String.valueOf(by)).get(0));
    }

    @Override
    public LockState acquire(Partition p, String key, String owner, long ttlMillis, long nowMillis, Idempotency idem) {
        List<Object> r = mutate(ACQUIRE, p, idem, keys(p, key), key, owner, String.valueOf(ttlMillis), String.valueOf(nowMillis));
        return new LockState(integer(r.get(0)) == 1, (String) r.get(1), integer(r.get(2)), integer(r.get(3)));
    }

    @Override
    public boolean renew(Partition p, String key, String owner, long token, long ttlMillis, long nowMillis, Idempotency idem) {
        return integer(mutate(CHANGE_LOCK, p, idem, keys(p, key), key, owner, String.valueOf(token), String.valueOf(nowMillis),
                String.valueOf(nowMillis + ttlMillis)).get(0)) == 1;
    }

    @Override
    public boolean release(Partition p, String key, String owner, long token, long nowMillis, Idempotency idem) {
        return integer(mutate(CHANGE_LOCK, p, idem, keys(p, key), key, owner, String.valueOf(token), String.valueOf(nowMillis),
                "-1").get(0)) == 1;
    }

    @Override
    public Debit debit(Partition p, String key, long amount, Idempotency idem) {
        List<Object> r = mutate(DEBIT, p, idem, keys(p, key), key, String.valueOf(amount));
        return new Debit(integer(r.get(0)) == 1, integer(r.get(1)));
    }

    @Override
    public long credit(Partition p, String key, long amount, Idempotency idem) {
        return integer(mutate(CREDIT, p, idem, keys(p, key), key, String.valueOf(amount)).get(0));
    }

    @FunctionalInterface
    private interface Call<T> {
        T run();
    }

    /** A read: any failure is {@code BackendUnavailable} (nothing is written by a read). */
    private <T> T read(Call<T> call) {
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
