"""Library strings that Duban's own Chinese catalogue translates. Never imported.

Django merges every catalogue it finds and the project's LOCALE_PATHS win, so
locale/zh_Hans/LC_MESSAGES/django.po may also translate strings of the libraries Duban uses. That
is needed where a library's Simplified Chinese catalogue lacks strings that show on Duban's admin
pages (they would otherwise appear in English). `makemessages` only keeps strings found in this
project's code, so they are declared here with gettext_noop: the calls mark the strings for
extraction and do nothing at run time.

Checked for Django 5.2, django-celery-beat 2.9, django-axes 8.3 and django-filter 26.2. django-filter ships only
zh_CN, which Django never uses for zh-hans, but none of its strings appears on Duban's pages: the
admin uses Django's own list filters and no API view is routed. Strings a library does not pass
through gettext at all (its literal verbose names, image alt texts) cannot be fixed here.
"""

from django.utils.translation import gettext_noop

# django.contrib.admin: app list column headers (for screen readers) and the user add page;
# missing from Django's zh_Hans catalogue.
gettext_noop("Model name")
gettext_noop("Add link")
gettext_noop("Change or view list link")
gettext_noop("After you’ve created a user, you’ll be able to edit more user options.")
# The home page's recent actions box: Django's zh_Hans reads 无可选的 ("nothing selectable") here.
gettext_noop("None available")

# django_celery_beat (periodic task pages): untranslated or fuzzy in its zh_Hans catalogue.
gettext_noop("Schedule")
gettext_noop("Arguments")
gettext_noop("Execution Options")
gettext_noop("Periodic Tasks Using This Schedule")
gettext_noop('task "{not_found_task_name}" not found')
gettext_noop('Cron Months (1-12) Of The Year to Run. Use "*" for "all". (Example: "1,12")')
gettext_noop('Cron Days Of The Week to Run. Use "*" for "all", Sunday is 0 or 7, Monday is 1. (Example: "0,5")')

# django-axes 8.3 (account locks, seen and lifted by staff): it ships no Simplified Chinese catalogue.
gettext_noop("access attempt")
gettext_noop("access attempts")
gettext_noop("access failure")
gettext_noop("access failures")
gettext_noop("access log")
gettext_noop("access logs")
gettext_noop("Failed Logins")
gettext_noop("Attempt Time")
gettext_noop("IP Address")
gettext_noop("User Agent")
gettext_noop("Locked Out")
gettext_noop("Clean up expired attempts")
