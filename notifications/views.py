"""The one-click unsubscribe page (no login: the signed token is the authority)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from targets.models import Person

from .models import Preference
from .preferences import read_token


# Mail clients POST the RFC 8058 one-click request without a CSRF token; the signed token in the
# URL is what authorises the change, and it can only mute an optional kind.
@csrf_exempt
def unsubscribe(request, token: str):
    parsed = read_token(token)
    if parsed is None:
        raise Http404
    person = Person.objects.filter(pk=parsed[0]).first()
    if person is None:
        raise Http404
    done = False
    if request.method == "POST":
        Preference.objects.update_or_create(person=person, defaults={"digest_muted": True})
        done = True
    return render(request, "notifications/unsubscribe.html", {"person": person, "done": done})
