"""Fault injection for a platform site: error answers, slow answers and a global latency."""

from __future__ import annotations

import threading
from dataclasses import dataclass

ENDPOINTS = ("certs", "auth", "token", "memberships", "lineitems", "lineitem", "scores",
             "results", "deeplink")
# Endpoints a tool calls from its server; `latency` applies to these only.
SERVICE_ENDPOINTS = frozenset({"token", "memberships", "lineitems", "lineitem", "scores",
                               "results", "certs"})


@dataclass
class Fault:
    """One planned misbehaviour: wait `delay_seconds`, then answer `status` (None: answer normally).

    `times` is how many requests it affects (None: all of them from now on).
    """

    endpoint: str
    status: int | None = 500
    times: int | None = 1
    delay_seconds: float = 0.0
    body: str = ""


class FaultInjector:
    """Planned faults of one site, consumed request by request (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.latency: float = 0.0

    def add(self, endpoint: str, status: int | None = 500, times: int | None = 1,
            delay_seconds: float = 0.0, body: str = "") -> Fault:
        """Plan a fault for the next `times` requests to `endpoint` (one of ENDPOINTS)."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; "
                             f"expected one of {', '.join(ENDPOINTS)}")
        fault = Fault(endpoint, status, times, delay_seconds, body)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every planned fault and the latency."""
        with self._lock:
            self._faults.clear()
            self.latency = 0.0

    def take(self, endpoint: str) -> Fault | None:
        """The first planned fault for `endpoint`, counting this request against it."""
        with self._lock:
            for fault in self._faults:
                if fault.endpoint != endpoint:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)
