"""Scheduled work of the services, run from outside them (`solo60 jobs run-due`, from cron or a scheduler).

Today that is the subscription lifecycle: reminders ahead of renewals and trial ends, and what
is due when a period ends (renewal, trial conversion, the end of a cancelled or unpaid
subscription). See `solo60.services.subscription.period_ends` and `.reminders` for the rules.
"""

from solo60.jobs.due import DueRun, run_due

__all__ = ["DueRun", "run_due"]
