"""Two daily schedules (django-celery-beat, editable in the admin), Asia/Shanghai:

- 09:30 notifications.retry_digests: the digests of this and last ISO week that are still unsent
  (failed during an SMTP outage, or left by a run killed mid-send), until they are sent;
- 03:15 notifications.apply_retention: daily snapshots thinned, old delivery ledger and history
  rows removed, expired sessions cleared (periods are settings).
"""

from django.db import migrations
from django.utils import timezone

RETRY_NAME = "每日补发未送达周报（notifications.retry_digests）"
RETENTION_NAME = "每日数据保留清理（notifications.apply_retention）"
SCHEDULES = [
    (RETRY_NAME, "notifications.retry_digests", "30", "9", "Retry this and last week's digests not yet sent."),
    (
        RETENTION_NAME,
        "notifications.apply_retention",
        "15",
        "3",
        "Thin old daily status snapshots, remove old delivery ledger and history rows, clear expired sessions.",
    ),
]


def add_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, minute, hour, description in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
        )
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "enabled": True, "description": description}
        )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[RETRY_NAME, RETENTION_NAME]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0006_verbose_names"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedules, remove_schedules)]
