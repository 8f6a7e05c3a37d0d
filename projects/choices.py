"""Choice sets of the project register."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from targets.choices import ProblemCategory


class Category(models.TextChoices):
    INDUSTRIAL = "industrial", _("Industrial")
    SERVICES = "services", _("Services")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    LIVELIHOOD = "livelihood", _("Livelihood")
    ENERGY = "energy", _("Energy")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    PREPARATORY = "preparatory", _("Preparatory")
    NEW_START = "new_start", _("New start")
    CONTINUING = "continuing", _("Continuing")
    COMPLETED = "completed", _("Completed")


class BatchLevel(models.TextChoices):
    PROVINCE = "province", _("Provincial")
    CITY = "city", _("City")


# A blocker is classified like a finding (问题类别), so the two can be read side by side.
BlockerCategory = ProblemCategory


# The project level flags (a project can carry several), in the order the admin's level filter, the
# dashboard's filter and its cells list them.
LEVEL_FLAGS = (
    ("is_provincial_key", _("Provincial key")),
    ("is_provincial_major_industrial", _("Provincial major industrial")),
    ("is_city_key", _("City key")),
    ("is_district_key", _("District key")),
    ("is_major", _("Major")),
)

# Thresholds that define the plan's project levels, in 万元.
MAJOR_PROJECT_MIN = 5000  # 5000万元以上重大项目
DISTRICT_KEY_MIN = 10000  # 区级超亿元重点项目 (strictly more than 1亿元)
