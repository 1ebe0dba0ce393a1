"""One exception type for everything the server (or the client's own checks) refuses."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

import grpc

if TYPE_CHECKING:
    from forecastle.types import ImportResult

# forecastle's INVALID_ARGUMENT messages start with the field they name, e.g.
# "segments[1].win_rate must be in [0, 1], got 1.5" or "from: required (YYYY-MM)".
_FIELD = re.compile(r'^([A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?)*)(?=:| must| is | appears| has)')


def field_of(message: str) -> Optional[str]:
    """The field a forecastle error message names, or None."""
    match = _FIELD.match(message)
    return match.group(1) if match else None


class ForecastleError(Exception):
    """A refused or failed call: the gRPC status code, the field it names (if any) and why."""

    def __init__(self, code: grpc.StatusCode, message: str, field: Optional[str] = None):
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
        self.field = field if field is not None else field_of(message)

    @classmethod
    def from_rpc(cls, error: grpc.RpcError) -> "ForecastleError":
        code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
        details = error.details() if hasattr(error, "details") else str(error)
        return cls(code or grpc.StatusCode.UNKNOWN, details or "")


class ImportIncomplete(ForecastleError):
    """An import that did not account for every record sent: the stream failed (its gRPC code),
    or the server's acknowledgements differ from what was sent (DATA_LOSS). `acknowledged` is what
    the server did acknowledge, all of it stored; the rest was not. Import again with the same
    run_id to resume: acknowledged batches are answered from the server's record, not re-applied."""

    def __init__(self, code: grpc.StatusCode, message: str, *, run_id: str, batches_sent: int, records_sent: int,
                 acknowledged: "ImportResult"):
        super().__init__(code, message, "")
        self.run_id = run_id
        self.batches_sent = batches_sent
        self.records_sent = records_sent
        self.acknowledged = acknowledged
