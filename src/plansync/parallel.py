"""Work spread over the cores this process may use, in order, for large batches only.

Compiling and rendering are CPU-bound and independent per athlete; a process
pool (fork, so nothing is re-imported) does them on every usable core and
gives the results back in the order the work was given, so the output is the
same bytes as a serial run. Small batches stay in-process: a pool costs more
than it saves below :data:`PARALLEL_FROM` items.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
PARALLEL_FROM = 64
MAX_WORKERS = 8
# Items a worker sends back at once: a chunk's results are held whole on both sides until
# it is done, so larger chunks cost memory in proportion to the batch, not speed; and the
# last chunk may leave the other workers idle while it runs. Validate's 243 dry runs (about
# 4 ms each) on 2 cores: 1.65-1.69x one core's speed in chunks of 16, 1.75-1.79x in 8 or 4.
MAX_CHUNK = 8


def usable_cores() -> int:
    """The cores this process may run on (taskset and container limits included)."""
    return len(_cores())


def _cores() -> set[int]:
    try:
        return os.sched_getaffinity(0)
    except (AttributeError, OSError):  # pragma: no cover - not on Linux
        return set(range(os.cpu_count() or 1))


def _own_core(cores: list[int], taken: Any) -> None:
    """A worker's first step: a core of its own (the next one not taken), so that the
    scheduler does not move it between cores, each move leaving its caches behind. On the
    2-core development machine, validate's two workers took 5-9 % less CPU so (10 and 12
    alternating in-process rounds: 1.07x and 1.18x one process, against 1.12x and 1.27x)."""
    with taken.get_lock():
        mine = cores[taken.value % len(cores)]
        taken.value += 1
    with contextlib.suppress(AttributeError, OSError):  # not on Linux, or not allowed: as it was
        os.sched_setaffinity(0, {mine})


def ordered_map(
    function: Callable[..., T], *columns: list[Any], threshold: int = PARALLEL_FROM
) -> Iterator[T]:
    """``map(function, *columns)``, on every usable core when the batch is large enough."""
    count = len(columns[0]) if columns else 0
    workers = min(usable_cores(), MAX_WORKERS)
    # What is alive before a batch (the modules, the templates, the athletes) outlives it: it
    # is frozen out of the collector's reach while the batch runs, so a collection walks only
    # what the batch made. In a forked worker, a collection would otherwise also write to
    # every inherited object, copying each page of them (the gc module's advice before fork).
    gc.freeze()
    try:
        if count >= threshold and workers > 1 and "fork" in mp.get_all_start_methods():
            fork = mp.get_context("fork")
            cores = sorted(_cores())
            taken = fork.Value("i", 0)  # how many workers have taken their core
            with ProcessPoolExecutor(
                workers, mp_context=fork, initializer=_own_core, initargs=(cores, taken)
            ) as pool:
                chunk = max(1, min(MAX_CHUNK, count // (workers * 4)))
                yield from pool.map(function, *columns, chunksize=chunk)
            return
        yield from map(function, *columns)
    finally:
        gc.unfreeze()
