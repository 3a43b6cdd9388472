"""The site's time zone (settings.TIME_ZONE) as an editor reads it beside a date field."""

from django.utils import timezone


def offset_label(moment):
    """The offset of ``moment`` (aware) from GMT: "GMT", "GMT+1", "GMT-3:30"."""
    minutes = round(moment.utcoffset().total_seconds() / 60)
    if not minutes:
        return "GMT"
    hours, rest = divmod(abs(minutes), 60)
    return f"GMT{'+' if minutes > 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")


def times_are_in(moment=None):
    """ "Times are in Europe/London (GMT+1).": the current time zone and its offset at
    ``moment`` (now by default; the offset moves with summer time)."""
    local = timezone.localtime(moment)
    return f"Times are in {timezone.get_current_timezone_name()} ({offset_label(local)})."
