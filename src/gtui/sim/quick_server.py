"""A uvicorn server that notices it should stop within 10 ms instead of 100 ms.

uvicorn looks at ``should_exit`` once per 0.1 s tick. The service is started and stopped
hundreds of times by the tests (and twice per listener), so those waits add up to minutes;
this loop looks ten times as often and still runs uvicorn's own tick once per 0.1 s.
"""

from __future__ import annotations

import asyncio

import uvicorn

CHECK_SECONDS = 0.01
CHECKS_PER_TICK = 10


class QuickServer(uvicorn.Server):
    """``uvicorn.Server`` with a finer-grained main loop."""

    async def main_loop(self) -> None:
        counter = 0
        should_exit = await self.on_tick(counter)
        checks = 0
        while not should_exit and not self.should_exit:
            await asyncio.sleep(CHECK_SECONDS)
            checks += 1
            if checks % CHECKS_PER_TICK == 0:
                counter = (counter + 1) % 864000
                should_exit = await self.on_tick(counter)
