"""A paced tail's timing as the budget says it (s23 walk #12): a Supermetrics tail polling every 2 s against a
server whose remaining never falls (the demo without a budget) is paced to ~1 poll in 5 s. The budget says
that period all along, and a countdown to the next poll that the poll then keeps, between polls too, in
virtual time (`test_budget.FakeTime`)."""

from __future__ import annotations

from test_budget import BACKFILL, LIVE, FakeTime, headers_saying


async def tail_polls(time: FakeTime, budget, interval_s: float, sent: list[float], limit: int = 1000) -> None:
    """A tail as `Pager.follow` runs one: a poll (paced by the budget), then its interval's pause."""
    with budget.hold_tail_reserve(interval_s):
        while True:
            await budget.acquire(LIVE)
            sent.append(time.now)
            await time.sleep(0.2)  # (the request's time)
            budget.settle(headers_saying(limit, limit), 200)  # (Supermetrics sends no Reset; the demo none unbudgeted)
            await time.sleep(interval_s)


async def test_a_paced_tail_is_said_at_its_real_period_with_a_countdown_its_polls_keep():
    time = FakeTime()
    budget = time.budget("supermetrics")
    sent: list[float] = []
    looks: list[tuple[float, float, float]] = []  # (when, next poll in, period)

    async def watch() -> None:
        while True:
            await time.sleep(0.5)
            state = budget.state()
            looks.append((time.now, state.tail_next_s, state.tail_period_s))

    await time.run(tail_polls(time, budget, 2.0, sent), watch(), until=time.now + 3600)
    gaps = [b - a for a, b in zip(sent, sent[1:])]
    assert max(gaps[-100:]) > 4.0  # (the burst spent, the pace holds each poll back: the case of the walk)
    paced_from = next(at for at, gap in zip(sent[1:], gaps) if gap > 4.0) + 10.0
    settled = [look for look in looks if paced_from <= look[0] <= sent[-1]]
    assert len(settled) > 100
    # the period said is the one the polls keep, all along (it said "every 2 s" between polls)
    real = (sent[-1] - sent[-101]) / 100
    assert all(abs(period - real) <= 0.5 for _, _, period in settled), (real, settled[:5])
    # and the countdown ends when the next poll goes, at every look (it said "~7 s" of a poll 2 s away)
    for at, next_s, _ in settled:
        poll = next(when for when in sent if when >= at)
        assert abs(at + next_s - poll) <= 0.6, (at, next_s, poll)


async def test_a_tail_the_pace_lets_go_at_its_interval_has_no_period():
    """Within the pace (a fresh window's tokens), the tail polls at its interval: no period is said."""
    time = FakeTime()
    budget = time.budget("supermetrics")
    sent: list[float] = []
    await time.run(tail_polls(time, budget, 2.0, sent), until=time.now + 60)
    assert len(sent) > 20 and budget.state().tail_period_s == 0.0



async def test_a_tail_taking_turns_with_the_backfill_is_said_at_the_period_its_polls_keep():
    """Found in a walk: a tail asked to poll every 0.05 s (more than half of Aitronos' 100 a minute) takes turns with
    the credentials' listing (at the backfill's priority). Its polls went every ~1.6 s, and the period said was
    ~1.6 s after a poll, ~0.8 s after the listing's request: the line flickered between "~2 s" and "~1 s"."""
    time = FakeTime()
    budget = time.budget("aitronos")
    sent: list[float] = []
    looks: list[tuple[float, float]] = []  # (when, period)

    async def backfill() -> None:
        while True:
            await budget.acquire(BACKFILL)
            await time.sleep(0.2)
            budget.settle(headers_saying(100, 100), 200)

    async def watch() -> None:
        while True:
            await time.sleep(0.1)
            looks.append((time.now, budget.state().tail_period_s))

    # (within the first window: a new one opens with a burst again)
    await time.run(tail_polls(time, budget, 0.05, sent, limit=100), backfill(), watch(), until=time.now + 50)
    paced_from = sent[-20]  # (the burst long spent: each poll waits for the pace)
    real = (sent[-1] - paced_from) / 19
    assert real > 1.0, real  # (two tokens a poll: the backfill's and its own)
    periods = [period for at, period in looks if paced_from <= at <= sent[-1]]
    assert all(abs(period - real) <= 0.2 for period in periods), (real, sorted(set(round(p, 2) for p in periods)))
