"""The header's counters."""

from .models import Notification


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    unread = Notification.objects.restrict(user).filter(read_at__isnull=True)
    return {"unread_notifications": unread.count}
