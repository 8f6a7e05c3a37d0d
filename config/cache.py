"""A Redis cache that degrades instead of failing when Redis is down.

The cache holds only what can be lost: API throttle counters and import progress. With Redis down a
read is a miss and a write is dropped, so the API and the admin keep serving (unthrottled, progress
bars without figures) and one warning a minute per process says so, instead of every request
answering 500. Redis errors elsewhere (the Celery broker) are handled where a task is dispatched.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger("duban.cache")

WARN_EVERY = 60.0  # seconds between two warnings of one process


class DegradingRedisCache(RedisCache):
    _last_warning = 0.0

    def _degraded(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - DegradingRedisCache._last_warning >= WARN_EVERY:
            DegradingRedisCache._last_warning = now
            log.warning(
                "cache unavailable (%s on %s: %s): API throttling and import progress are off until Redis is back",
                type(exc).__name__,
                operation,
                exc,
            )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError as exc:
            self._degraded("add", exc)
            return False

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as exc:
            self._degraded("get", exc)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError as exc:
            self._degraded("set", exc)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError as exc:
            self._degraded("touch", exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as exc:
            self._degraded("delete", exc)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as exc:
            self._degraded("get_many", exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as exc:
            self._degraded("has_key", exc)
            return False

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError as exc:
            self._degraded("set_many", exc)
            return list(data)

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except RedisError as exc:
            self._degraded("delete_many", exc)
            return False

    def clear(self):
        try:
            return super().clear()
        except RedisError as exc:
            self._degraded("clear", exc)
            return False
