"""Reads of the outbox."""

from .models import Channel, OutboxMessage


def internal_messages_for(*, user, limit=50):
    """The in-app messages of `user`, newest first (the internal channel's recipient is the user id)."""
    return list(
        OutboxMessage.objects.filter(channel=Channel.INTERNAL, recipient=str(user.pk)).order_by(
            "-created_at", "-id"
        )[:limit]
    )
