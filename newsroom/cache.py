"""Django's Redis cache, made to answer "not there" while Redis is out of reach instead of raising.

A cache is where the site keeps what it can make again: when Redis stops, every read misses and every
write is dropped, so pages are made afresh (slower) and no reader sees a 500. redis-py reconnects on the
next command once Redis answers again, so caching resumes by itself with no restart. The socket timeouts
(REDIS_TIMEOUT_MS, newsroom/settings.py) bound how long a Redis that hangs rather than refuses can hold a
request.

`available` says whether the last command reached Redis, and `outages` counts the times it went from
reachable to not: the page cache (newsroom/pagecache.py) reads both to know that saves made during an
outage may not have reached the shared generation.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger("newsroom.cache")


def _guarded(default):
    def decorate(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            try:
                result = method(self, *args, **kwargs)
            except RedisError as error:
                self.went_away(error)
                return default() if callable(default) else default
            self.came_back()
            return result

        return guarded

    return decorate


class ReusedClient(RedisCacheClient):
    """Django's client makes a new redis.Redis object for every command (about 0.1 ms each on this machine's
    redis-py); one per connection pool is enough: a redis.Redis takes a connection from its pool per command
    and is safe to share between threads."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    available = True
    outages = 0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClient

    def went_away(self, error):
        if self.available:
            type(self).outages += 1
            logger.warning("Redis is out of reach (%s: %s); serving without the cache.", type(error).__name__, error)
        type(self).available = False

    def came_back(self):
        if not self.available:
            logger.warning("Redis answers again; caching resumes.")
        type(self).available = True

    def raw(self, operation):
        """Run `operation(client)` on the Redis client for writes; None if Redis is out of reach."""
        try:
            result = operation(self._cache.get_client(write=True))
        except RedisError as error:
            self.went_away(error)
            return None
        self.came_back()
        return result

    # Reads miss and writes are dropped while Redis is away. get() honours its default, as Django's does.
    def get(self, key, default=None, version=None):
        try:
            value = super().get(key, default, version)
        except RedisError as error:
            self.went_away(error)
            return default
        self.came_back()
        return value

    set = _guarded(None)(RedisCache.set)
    add = _guarded(False)(RedisCache.add)
    touch = _guarded(False)(RedisCache.touch)
    delete = _guarded(False)(RedisCache.delete)
    get_many = _guarded(dict)(RedisCache.get_many)
    set_many = _guarded(list)(RedisCache.set_many)
    delete_many = _guarded(None)(RedisCache.delete_many)
    has_key = _guarded(False)(RedisCache.has_key)
    clear = _guarded(False)(RedisCache.clear)

    def incr(self, key, delta=1, version=None):
        # Django raises ValueError for a key that is not there; a Redis out of reach is the same to a caller.
        try:
            value = super().incr(key, delta, version)
        except RedisError as error:
            self.went_away(error)
            raise ValueError(f"Key {key!r} not found: Redis is out of reach.") from error
        self.came_back()
        return value
