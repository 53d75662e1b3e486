"""Poll by anyone, download by the creator only (team-mode design §2.5), on PostgreSQL: the `Store` moves
over the schema-3 functions of sql_v3_adopt.py. `PostgresStore` mixes them in.

What a poller gets back is the functions' prompt-free view of the job; it never reads the row itself (row-level
security would not show it another creator's job anyway).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from veo_desktop.core.jobs import Job
from veo_desktop.core.states import FailureKind
from veo_desktop.store.base import POLLER_SETTLES, Holder, PollingJob
from veo_desktop.store.polling import not_settled_by_poller
from veo_desktop.store.postgres.session import Conn, Session
from veo_desktop.store.rows import strings_to_json

_ADOPT_FOR_POLLING = "SELECT * FROM veo_api.adopt_for_polling(%s, %s, %s::int, %s, %s::bigint, %s::bigint, %s::text[])"
_ADOPT_DOWNLOADS = "SELECT * FROM veo_api.adopt_downloads(%s, %s, %s::int, %s, %s::bigint, %s::bigint, %s::text[])"


class PostgresPolling(Session):
    def adopt_for_polling(
        self, *, owner: Holder | str, now_ms: int, lease_ms: int, providers: Collection[str] | None = None
    ) -> list[PollingJob]:
        holder, wanted = Holder.of(owner), None if providers is None else sorted(providers)
        params = (holder.token, holder.host, holder.pid, str(holder), now_ms, lease_ms, wanted)

        def run(c: Conn) -> list[PollingJob]:
            return [
                PollingJob(
                    id=str(job_id),
                    creator=str(creator),
                    mine=creator == self.creator,
                    provider=str(provider),
                    model_id=str(model_id),
                    operation_name=str(operation),
                    fence=int(fence),
                    started_at_ms=started_at_ms,
                )
                for job_id, creator, provider, model_id, operation, fence, started_at_ms in self._call(
                    c, _ADOPT_FOR_POLLING, params
                )
            ]

        return self._write(run)

    def hand_over_download(self, job_id: str, *, fence: int, now_ms: int) -> None:
        sql = "SELECT veo_api.hand_over_download(%s, %s::bigint, %s::bigint)"
        self._write(lambda c: self._call(c, sql, (job_id, fence, now_ms)))

    def fail_polled(
        self,
        job_id: str,
        *,
        fence: int,
        kind: FailureKind,
        message: str,
        now_ms: int,
        filter_reasons: Sequence[str] = (),
    ) -> None:
        if kind not in POLLER_SETTLES:
            raise not_settled_by_poller(kind)
        sql = "SELECT veo_api.fail_polled(%s, %s::bigint, %s, %s, %s, %s::bigint)"
        params = (job_id, fence, kind.value, message, strings_to_json(list(filter_reasons)), now_ms)
        self._write(lambda c: self._call(c, sql, params))

    def release_polled(self, job_id: str, *, fence: int) -> None:
        self._write(lambda c: self._call(c, "SELECT veo_api.release_polled(%s, %s::bigint)", (job_id, fence)))

    def settle_silent_starts(self, *, owner: Holder | str, now_ms: int) -> int:
        params = (str(Holder.of(owner)), now_ms)

        def run(c: Conn) -> int:
            rows = self._call(c, "SELECT veo_api.settle_silent_starts(%s, %s::bigint)", params)
            return int(rows[0][0])

        return self._write(run)

    def adopt_downloads(
        self, *, owner: Holder | str, now_ms: int, lease_ms: int, providers: Collection[str] | None = None
    ) -> list[Job]:
        holder, wanted = Holder.of(owner), None if providers is None else sorted(providers)
        params = (holder.token, holder.host, holder.pid, str(holder), now_ms, lease_ms, wanted)

        def run(c: Conn) -> list[Job]:
            return [self._job(c, r[0]) for r in self._call(c, _ADOPT_DOWNLOADS, params)]

        return self._write(run)

    def _renew_polling(self, c: Conn, token: str, now_ms: int, lease_ms: int) -> None:
        self._call(c, "SELECT veo_api.renew_polling(%s, %s::bigint, %s::bigint)", (token, now_ms, lease_ms))

    def _release_polling(self, c: Conn, token: str) -> None:
        self._call(c, "SELECT veo_api.release_polling(%s)", (token,))
