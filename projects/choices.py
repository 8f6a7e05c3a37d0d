"""Choice sets of the project register."""

from dataclasses import dataclass

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


@dataclass(frozen=True)
class LevelFlag:
    """A project level flag (a project can carry several), declared once with every name it goes by.

    The Chinese names are the bureau's documents' (the same in every interface language).
    """

    field: str  # the Project's boolean field
    label: str  # the admin's and the dashboard's filter (translated)
    short: str  # the register export's 项目层级 column ("省重点、重大")
    named: str  # the dashboard workbook's filter line (项目层级：…): "重大项目" where the register says "重大"
    header: str  # the register's column (export, import, template)
    alias: str  # another header the import reads
    meaning: str  # the template's notes sheet (填写说明)


# In the order the admin's level filter, the dashboard's filter and cells, and the register list them.
PROJECT_LEVELS = (
    LevelFlag(
        "is_provincial_key",
        _("Provincial key"),
        short="省重点",
        named="省重点",
        header="省重点",
        alias="省重点项目",
        meaning="是否为省重点项目",
    ),
    LevelFlag(
        "is_provincial_major_industrial",
        _("Provincial major industrial"),
        short="省重大产业",
        named="省重大产业",
        header="省重大产业",
        alias="省重大产业项目",
        meaning="是否为省重大产业项目",
    ),
    LevelFlag(
        "is_city_key",
        _("City key"),
        short="市重点",
        named="市重点",
        header="市重点",
        alias="市重点项目",
        meaning="是否为市重点项目",
    ),
    LevelFlag(
        "is_district_key",
        _("District key"),
        short="区重点",
        named="区重点",
        header="区重点（超亿元）",
        alias="区重点项目",
        meaning="是否为区级超亿元重点项目（总投资须超过10,000万元）",
    ),
    LevelFlag(
        "is_major",
        _("Major"),
        short="重大",
        named="重大项目",
        header="重大项目（5000万以上）",
        alias="重大项目",
        meaning="是否为5000万元以上重大项目（总投资须不低于5,000万元）",
    ),
)
LEVEL_FLAGS = tuple((level.field, level.label) for level in PROJECT_LEVELS)  # (field, label): the filters' choices

# Thresholds that define the plan's project levels, in 万元.
MAJOR_PROJECT_MIN = 5000  # 5000万元以上重大项目
DISTRICT_KEY_MIN = 10000  # 区级超亿元重点项目 (strictly more than 1亿元)
