"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django builds a new `redis.Redis` object for every cache call; with redis-py 5+ that construction
(response-callback tables of a few hundred entries) costs more than the Redis round trip itself.
A client over a connection pool is thread-safe, so one per pool is enough."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class FastRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
