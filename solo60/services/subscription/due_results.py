"""What one due job did, as the due-jobs runner reports it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class JobResult:
    job: str
    """What was due: `renewal reminder`, `renewal`, `end of cancelled subscription`, ..."""
    subscription_id: str
    user_id: str
    due_for: datetime
    """The moment the job is about: the renewal, the trial's end, the period's end."""
    outcome: str
    failed: bool = False
