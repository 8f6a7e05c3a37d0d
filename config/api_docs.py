"""The words of the API schema: tags, operation summaries and descriptions (Chinese, then English).

Every operation gets a summary and a description from its resource and action; the specific
paragraphs below add what a caller needs to know. An operation added later still gets the generic
text (its view's docstring is kept as the English part), so the schema never has a bare operation.
"""

from __future__ import annotations

import re

# Resource tag → (Chinese name, English name, the tag's description).
RESOURCES = {
    "me": (
        "当前用户",
        "the caller",
        "当前令牌或会话对应的用户、单位与权限。The login behind the token or session, its unit and rights.",
    ),
    "plans": ("年度计划", "plan", "年度工作计划及其红黄绿阈值。Annual plans and their status thresholds."),
    "targets": ("目标", "goal", "计划中的目标指标及其督办状态。The plan's goals and their supervision status."),
    "projects": ("重大项目", "project", "重大项目登记册及其督办状态。The register of major projects and their status."),
    "progress-reports": (
        "进度报送",
        "progress report",
        "各责任单位报送的累计进度；本单位牵头的对象可新增和更正。Cumulative progress filed by the lead units.",
    ),
    "milestones": ("节点", "milestone", "目标和项目的节点（开工、竣工、入库等）。Dated milestones of goals and projects."),
    "blockers": ("堵点", "blocker", "项目推进中的堵点问题。What holds a project back."),
    "findings": (
        "督办事项",
        "finding",
        "督办运行发现的问题（问题、责任、整改三清单）。Findings of supervision runs: the three lists.",
    ),
    "supervision-rounds": (
        "督查轮次",
        "supervision round",
        "督查轮次及其三清单（.xlsx）和督办通知单（.docx）。Supervision rounds and their documents.",
    ),
    "status": ("督办概况", "plan status", "计划的红黄绿统计和重点目标。A plan's colour counts and headline goals."),
    "departments": ("责任单位", "unit", "责任单位（局处室、区级部门、镇街、国企等）。Responsible units."),
    "people": ("人员", "person", "联系人、单位负责人和包干领导。Contacts, unit heads and responsible leaders."),
}

ACTIONS = {
    "list": ("列出{zh}", "List {ens}", "分页列表，可筛选和排序。A page of {ens}; filter and order with the parameters."),
    "retrieve": ("读取{zh}", "Read a {en}", "按 id 读取一个{zh}。One {en} by id."),
    "create": ("新增{zh}", "Create a {en}", "新增一个{zh}。Create a {en}."),
    "update": ("修改{zh}（整体）", "Replace a {en}", "整体修改一个{zh}。Replace a {en}'s writable fields."),
    "partial_update": (
        "修改{zh}（部分）",
        "Update a {en}",
        "只修改给出的字段；可空字段传 null 即清空。Change only the fields given; null clears a nullable field.",
    ),
}

AS_OF = (
    "`as_of`：按该日期或之前最近一次督办运行的结果作答；该日期前尚无运行时 `status` 为灰色、数值为空，"
    "`status_reason` 为 `no_run`。\n\n"
    "`as_of` answers with the latest supervision run on or before that date; before any run, `status` is grey, "
    "the figures null and `status_reason` says `no_run`."
)
FIELDS = (
    "`fields=id,code,status` 只返回所列字段（总含 `id`），此时响应是组件的子集。"
    "`fields` narrows the response to the named fields (always with `id`): a subset of the component."
)
UNIT_RULE_ZH = "局机关督办人员可改全部；责任单位用户只能为本单位牵头的目标和项目新增、修改；只读令牌不能写（403）。"
UNIT_RULE_EN = (
    "Bureau staff write everything; a unit's user writes only for items its unit leads; a read-only token writes nothing (403)."
)

SPECIFIC = {
    "v1_me_retrieve": (
        "返回调用者：用户名、是否局机关督办人员、所属单位（id、名称）以及令牌权限（是否只读、到期时间）。",
        "Who the caller is: username, whether bureau staff, the unit (id, name), and what the token may do "
        "(read-only or not, expiry).",
    ),
    "v1_progress_reports_create": (
        "报送某目标或项目截至 `as_of` 的累计值（`target` 与 `project` 二选一）。同一对象同一日期只能报送一次"
        "（否则 400，code `duplicate`）；累计值低于前一次报送时须填写 `correction_reason`"
        "（否则 400，code `decrease_without_reason`）。" + UNIT_RULE_ZH,
        "File a goal's or project's cumulative value as of `as_of` (give `target` or `project`). One report per "
        "item and date (else 400 `duplicate`); a value below the previous report needs a `correction_reason` "
        "(else 400 `decrease_without_reason`). " + UNIT_RULE_EN,
    ),
    "v1_progress_reports_list": (
        "按 `target`、`project`、`as_of`、`as_of_after`、`as_of_before` 筛选。" + FIELDS,
        "Filter by item and report date.",
    ),
    "v1_targets_list": (AS_OF + "\n\n" + FIELDS, "Goals by plan, then code."),
    "v1_targets_retrieve": (AS_OF, "A goal with its status."),
    "v1_projects_list": (AS_OF + "\n\n" + FIELDS, "Projects by plan, then code."),
    "v1_projects_retrieve": (AS_OF, "A project with its status."),
    "v1_findings_list": (
        "`list=problem|responsibility|rectification` 只返回该清单的字段（组件的子集）。" + FIELDS,
        "`list=` narrows each finding to one list's fields (a subset of the component).",
    ),
    "v1_status_retrieve": (
        "计划在 `as_of`（默认今天）前最近一次运行时各颜色的目标和项目数，以及重点目标。" + AS_OF,
        "Items per colour at the plan's latest run on or before `as_of` (default today) and the headline goals.",
    ),
    "v1_supervision_rounds_three_lists_retrieve": (
        "下载该轮的三清单（问题、责任、整改）Excel 文件。",
        "The round's three lists as one .xlsx workbook (binary).",
    ),
    "v1_supervision_rounds_notices_retrieve": (
        "下载该轮发给某牵头单位的督办通知单（.docx）；该单位在本轮无事项时 404。",
        "The round's notice to one lead unit as .docx (binary); 404 when the unit has no finding in the round.",
    ),
    "v1_departments_list": ("`name` 精确匹配、`name_contains` 包含匹配单位名称。", "Filter by exact `name` or `name_contains`."),
}
for _op in ("milestones", "blockers", "progress_reports"):
    for _action in ("create", "update", "partial_update"):
        SPECIFIC.setdefault(f"v1_{_op}_{_action}", (UNIT_RULE_ZH, UNIT_RULE_EN))
    for _action in ("update", "partial_update"):
        zh, en = SPECIFIC[f"v1_{_op}_{_action}"]
        SPECIFIC[f"v1_{_op}_{_action}"] = (
            zh + "发送读取时得到的 ETag 作为 `If-Match`，对象已被修改时返回 412。",
            en + " Send the ETag you read as `If-Match` to get 412 instead of overwriting a newer change.",
        )

SUMMARIES = {
    "v1_me_retrieve": "当前用户 / The caller",
    "v1_status_retrieve": "计划督办概况 / A plan's status summary",
    "v1_supervision_rounds_three_lists_retrieve": "下载三清单（.xlsx）/ Download the three lists (.xlsx)",
    "v1_supervision_rounds_notices_retrieve": "下载督办通知单（.docx）/ Download a unit's notice (.docx)",
}

COMPONENTS = {
    "Me": "调用者及其权限。The caller and its rights.",
    "Target": "目标指标及其督办状态。A goal and its status.",
    "Project": "重大项目及其督办状态。A major project and its status.",
    "ProgressReport": "进度报送。A progress report.",
    "ProgressReportRequest": "进度报送：`target` 与 `project` 二选一。A progress report: give `target` or `project`.",
    "PatchedProgressReportRequest": "进度报送的部分修改。A partial change of a progress report.",
    "Milestone": "节点。A milestone.",
    "MilestoneRequest": "节点：`target` 与 `project` 二选一。A milestone: give `target` or `project`.",
    "PatchedMilestoneRequest": "节点的部分修改。A partial change of a milestone.",
    "Blocker": "堵点。A blocker.",
    "BlockerRequest": "堵点。A blocker.",
    "PatchedBlockerRequest": "堵点的部分修改。A partial change of a blocker.",
    "Finding": "督办事项。A finding.",
    "Department": "责任单位。A unit.",
    "Person": "人员。A person.",
    "Plan": "年度计划。An annual plan.",
    "SupervisionRound": "督查轮次。A supervision round.",
    "PlanStatus": "计划的督办概况。A plan's status summary.",
}

# Component examples, drawn from the demo register (`seed_demo --projects 50 --seed 1` on plan_2023,
# supervised on 2023-07-10). Ids differ from one database to another.
EXAMPLES = {
    "Project": {
        "id": 2043,
        "plan": 2023,
        "code": "DEMO-2023-00001",
        "name": "葭沚现代物流中心项目",
        "lead_department": 139,
        "category": "services",
        "stage": "continuing",
        "total_investment": "8454.00",
        "annual_plan_investment": "1961.00",
        "owner_company": "浙江嘉禾实业有限公司",
        "township": "葭沚街道",
        "period_start": "2023-01-01",
        "period_end": "2023-12-31",
        "status": "green",
        "expected_value": "980.00",
        "actual_value": "1056.20",
        "ratio": "1.08",
        "forecast_value": "2113.48",
        "status_date": "2023-07-10",
        "status_reason": None,
    },
    "ProgressReport": {
        "id": 5,
        "target": None,
        "project": 2043,
        "as_of": "2023-06-30",
        "period": "2023-06-01",
        "value": "1056.20",
        "note": "装饰装修施工，1—6月累计完成投资1056.2万元，占年度计划的53.9%。",
        "problems": "",
        "correction_reason": "",
        "submitted_at": "2023-07-01T11:02:00+08:00",
    },
    "ProgressReportRequest": {
        "project": 2043,
        "as_of": "2023-07-31",
        "value": "1262.40",
        "note": "装饰装修施工，1—7月累计完成投资1262.4万元。",
        "problems": "",
    },
    "PatchedProgressReportRequest": {"note": "更正：1—7月累计完成投资1262.4万元。"},
    "Me": {
        "username": "unit",
        "is_bureau_staff": False,
        "department": {"id": 109, "name": "区重点建设项目促进中心"},
        "auth": "token",
        "read_only": False,
        "can_write": True,
        "token_name": "项目系统对接",
        "token_expires_at": "2024-03-31T00:00:00+08:00",
    },
    "Error": {
        "code": "duplicate",
        "detail": "该日期的报送已存在，请更正原报送。",
        "as_of": [{"message": "该日期的报送已存在，请更正原报送。", "code": "duplicate"}],
    },
}


def resource_of(path: str) -> str:
    match = re.match(r"^/api/v1/([^/{]+)/", path)
    return match.group(1) if match else "api"


def action_of(operation_id: str, resource: str) -> str:
    prefix = f"v1_{resource.replace('-', '_')}_"
    return operation_id.removeprefix(prefix)


def describe(operation: dict, path: str, method: str) -> None:  # noqa: ARG001 - kept for symmetry with the hook
    """Set the operation's tag, summary and description (Chinese first, then English)."""
    resource = resource_of(path)
    zh_name, en_name, _tag = RESOURCES.get(resource, (resource, resource, ""))
    operation["tags"] = [resource]
    operation_id = operation.get("operationId", "")
    action = action_of(operation_id, resource)
    specific_zh, specific_en = SPECIFIC.get(operation_id, ("", ""))
    if action in ACTIONS:
        summary_zh, summary_en, text = ACTIONS[action]
        en_plural = "people" if en_name == "person" else f"{en_name}s"
        base_zh, _sep, base_en = text.format(zh=zh_name, en=en_name, ens=en_plural).partition("。")
        zh = "".join(part for part in (base_zh + "。", specific_zh) if part)
        en = " ".join(part for part in (base_en.strip(), specific_en) if part)
        operation["summary"] = f"{summary_zh.format(zh=zh_name)} / {summary_en.format(en=en_name, ens=en_plural)}"
        operation["description"] = f"{zh}\n\n{en}"
        if action == "retrieve" and specific_zh and resource in {"me", "status"}:
            operation["description"] = f"{specific_zh}\n\n{specific_en}"
    elif specific_zh:
        first_line = specific_en.split(".")[0] if specific_en else action
        operation["summary"] = f"{zh_name}：{specific_zh.split('。')[0][:40]} / {first_line}"
        operation["description"] = f"{specific_zh}\n\n{specific_en}"
    else:  # an operation added later without its words here: its docstring stays the description
        docstring = operation.get("description", "").strip()
        first = re.split(r"(?<=[.。])\s", docstring, maxsplit=1)[0] if docstring else action.replace("_", " ")
        operation["summary"] = f"{zh_name}：{first}"
        operation["description"] = docstring or operation["summary"]
    operation["summary"] = SUMMARIES.get(operation_id, operation["summary"])


def tags(result: dict) -> list[dict]:
    used = {tag for methods in result.get("paths", {}).values() for op in methods.values() for tag in op.get("tags", [])}
    return [{"name": name, "description": RESOURCES[name][2]} for name in RESOURCES if name in used] + [
        {"name": name} for name in sorted(used - RESOURCES.keys())
    ]
