"""What a process keeps between compiles: the most recently used few values, by key.

Several steps of the compiler are pure and are asked the same thing again and again across
the plans of a roster or a validation matrix: an athlete's zones and sessions, a template's
words, the what-if sketches. Each keeps its answers in a :class:`Kept`, bounded (the least
recently used go first) and safe to share between threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Kept(Generic[K, V]):
    """At most ``size`` values by key; the least recently used go first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, fits: Callable[[V], bool] = lambda _: True) -> V | None:
        """The value kept for ``key``, when there is one and it ``fits`` (a key holding an
        object's id is checked against the object the value was kept with)."""
        with self._lock:
            value = self._values.get(key)
            if value is None or not fits(value):
                return None
            self._values.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> V:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
            return value

    def get_or_make(self, key: K, make: Callable[[], V], fits: Callable[[V], bool] = lambda _: True) -> V:
        """The value kept for ``key``, else ``make()`` kept (made under the lock: every
        thread that asks at once gets the same value)."""
        with self._lock:
            value = self._values.get(key)
            if value is None or not fits(value):
                value = self._values[key] = make()
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
            return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
