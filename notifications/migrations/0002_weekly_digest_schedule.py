"""Schedule the weekly digests every Monday at 08:30 Asia/Shanghai, and the escalation notices and
report reminders every day at 07:45, after the 07:30 supervision run (both editable in the admin).

A run on any later day of the week sends what that week has not yet sent, so a Monday missed
while beat was down is caught up once, when the task next runs.
"""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "每周督办周报（notifications.send_digests）"
NOTICES_NAME = "每日升级通知与报送提醒（notifications.send_notices）"


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="8", day_of_week="1", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "notifications.send_digests",
            "crontab": crontab,
            "enabled": True,
            "description": "Send this ISO week's digests not yet sent (unit contacts, responsible leaders, bureau staff).",
        },
    )
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="45", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name=NOTICES_NAME,
        defaults={
            "task": "notifications.send_notices",
            "crontab": daily,
            "enabled": True,
            "description": "Escalation notices (levels 2 and 3) and monthly report reminders not yet sent.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[TASK_NAME, NOTICES_NAME]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
