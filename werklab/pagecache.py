"""Rendered pages kept per worker process, keyed by everything they show.

A key holds the version of the data behind the page (e.g. the programme's updated_at and its
seats taken), so a change in the database makes a new key: nothing is ever invalidated by
hand, and several workers or machines never disagree for longer than one query. Bounded (LRU).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class PageCache:
    def __init__(self, maxsize: int = 256):
        self.maxsize = maxsize
        self._pages: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], T]) -> T:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
                return page
        page = render()
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > self.maxsize:
                self._pages.popitem(last=False)
        return page

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)
