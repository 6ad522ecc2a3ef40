"""A booking's hold on its slot: taken before the debit, released when the booking is not paid for.

The slot is held first so that, of concurrent bookings of one slot, only one ever reaches the
payment service. A hold whose debit was refused (402) or never sent is released at once; one
whose debit has an unknown outcome (the payment service timed out) stays for a retry with the
same Idempotency-Key, and is released after `SESSION_BOOKING_HOLD_SECONDS`, with a refund in
case the debit did happen. Releasing and confirming are both conditional on the hold still
being RESERVED, so exactly one of them wins.
"""

from __future__ import annotations

from solo60.services.kit import Database
from solo60.services.session import follow_ups, storage


async def release(db: Database, key: str, session_id: str, *, paid_perhaps: bool) -> bool:
    """Free the slot unless the booking completed meanwhile; True when this call released it.

    `paid_perhaps`: the debit may have happened, so a refund is recorded with the release; payment
    refuses it harmlessly when nothing was debited.
    """
    async with db.write() as session:
        request = await storage.release_reservation(session, key, session_id)
        if request is None:
            return False
        await follow_ups.hold_settled(session, session_id)
        if paid_perhaps and request.price_credits > 0:
            await follow_ups.refund_credits(
                session,
                request.user_id,
                session_id,
                request.price_credits,
                purpose="release-refund",
                only_if_debited=True,
            )
    return True
