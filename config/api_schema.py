"""The OpenAPI schema of /api/v1/: error responses, headers, tags, summaries and enum references.

AutoSchema adds to every operation what drf-spectacular cannot see from a view: the error model
and the statuses each operation can answer, `ETag` / `If-Match` on the rows clients update,
`Retry-After` on 429. `postprocess` (a drf-spectacular hook) names operations by resource tag,
writes their summaries and descriptions (Chinese, then English; config/api_docs.py), and points
query parameters at the component enums instead of inline copies.
"""

from __future__ import annotations

import re

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter
from rest_framework import permissions

from . import api_docs

ERROR = "Error"
FIELD_ERROR = "FieldError"

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "错误：`code` 为机器可读的错误码，`detail` 为可读说明（按请求语言，默认中文）。"
        "400 另含字段错误：字段名 → [{message, code}]（`non_field_errors` 为整体错误）。\n\n"
        "An error: `code` is machine-readable, `detail` a message in the request's language (Chinese by "
        "default). A 400 also maps each field name to its errors, [{message, code}] (`non_field_errors` for "
        "the request as a whole)."
    ),
    "properties": {
        "code": {
            "type": "string",
            "description": (
                "Machine-readable: invalid, required, duplicate, decrease_without_reason, not_authenticated, "
                "authentication_failed, permission_denied, not_found, precondition_failed, throttled, "
                "parse_error, unsupported_media_type, request_too_large …"
            ),
            "example": "duplicate",
        },
        "detail": {"type": "string", "example": "该日期的报送已存在，请更正原报送。"},
    },
    "required": ["code", "detail"],
    "additionalProperties": {"type": "array", "items": {"$ref": f"#/components/schemas/{FIELD_ERROR}"}},
}
FIELD_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"message": {"type": "string"}, "code": {"type": "string"}},
    "required": ["message", "code"],
}

ERROR_DESCRIPTIONS = {
    "400": "请求参数或内容有误（字段错误见各字段）。Invalid parameters or body (see the fields).",
    "401": "未提供或无效的令牌。No, invalid, expired or revoked credentials.",
    "403": "无权执行此操作（只读令牌、非本单位的对象或非局机关人员）。Not allowed: a read-only token, another unit's item, or not bureau staff.",
    "404": "对象不存在，或页码超出最后一页。Not found, or a page past the last one.",
    "412": "`If-Match` 与当前 ETag 不符：对象已被修改，请重新读取。`If-Match` does not match the current ETag: read the row again.",
    "413": "请求体过大。The request body is too large.",
    "415": "请求体必须是 JSON。The request body must be JSON (`Content-Type: application/json`).",
    "429": "请求过于频繁，`Retry-After` 秒后重试。Too many requests: retry after `Retry-After` seconds.",
}

ETAG_HEADER = OpenApiParameter(
    "ETag",
    str,
    location=OpenApiParameter.HEADER,
    response=["200", "201"],
    description="对象当前版本的标记，更新时放入 `If-Match`。The row's version tag: send it back in `If-Match` to update.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "读取时得到的 ETag：对象此后被他人修改则返回 412，不覆盖。可省略（无条件更新，v1 的行为），建议总是发送。\n\n"
        "The ETag you read: 412 instead of overwriting a newer change. Optional (an unconditional update, "
        "as in v1), but recommended."
    ),
)


class AutoSchema(BaseAutoSchema):
    """drf-spectacular's AutoSchema plus the API's error responses, headers and resource tags."""

    def get_tags(self) -> list[str]:
        match = re.match(r"^/api/v1/([^/{]+)/", self.path)
        return [match.group(1)] if match else ["api"]

    def _has_etag(self) -> bool:
        return hasattr(self.view, "etag") and getattr(self.view, "action", None) in {
            "retrieve",
            "update",
            "partial_update",
            "create",
        }

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._has_etag():
            parameters.append(ETAG_HEADER)
            if self.method in {"PUT", "PATCH"}:
                parameters.append(IF_MATCH)
        return parameters

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        if str(status_code) == "429":
            headers["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": "再次请求前需等待的秒数。Seconds to wait before the next request.",
            }
        return headers

    def error_statuses(self) -> list[str]:
        writes = self.method not in permissions.SAFE_METHODS
        statuses = ["401"]
        takes_input = writes or any(p.get("in") == "query" for p in self._get_parameters())
        if takes_input:
            statuses.append("400")
        if writes:
            statuses.append("403")
        if "{" in self.path or self._is_list_view():
            statuses.append("404")
        if writes:
            statuses += ["413", "415"]
        if writes and self._has_etag() and self.method in {"PUT", "PATCH"}:
            statuses.append("412")
        statuses.append("429")
        return sorted(set(statuses))

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        self.registry.register_on_missing(
            ResolvedComponent(name=FIELD_ERROR, type=ResolvedComponent.SCHEMA, object=FIELD_ERROR, schema=FIELD_ERROR_SCHEMA)
        )
        error = ResolvedComponent(name=ERROR, type=ResolvedComponent.SCHEMA, object=ERROR, schema=ERROR_SCHEMA)
        self.registry.register_on_missing(error)
        for status_code in self.error_statuses():
            if status_code in responses:
                continue
            response = {
                "content": {"application/json": {"schema": error.ref}},
                "description": ERROR_DESCRIPTIONS[status_code],
            }
            headers = self._get_response_headers_for_code(status_code, direction)
            if headers:
                response["headers"] = headers
            responses[status_code] = response
        return responses


def postprocess(result, generator, request, public):  # noqa: ARG001 - drf-spectacular's hook signature
    """Tags, summaries and descriptions; query enums as references to the component enums."""
    schemas = result.get("components", {}).get("schemas", {})
    enums = {tuple(sorted(map(str, s["enum"]))): name for name, s in schemas.items() if "enum" in s and "properties" not in s}
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            api_docs.describe(operation, path, method)
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                schema.pop("title", None)  # generators name classes after titles (Chinese labels)
                values = tuple(sorted(map(str, schema.get("enum", []))))
                if values and values in enums:
                    parameter["schema"] = {"$ref": f"#/components/schemas/{enums[values]}"}
    result["tags"] = api_docs.tags(result)
    # Serializer docstrings are notes for developers: an object component's description is ours or none.
    for name, schema in schemas.items():
        if "properties" in schema and name not in {ERROR, FIELD_ERROR}:
            schema.pop("description", None)
            if name in api_docs.COMPONENTS:
                schema["description"] = api_docs.COMPONENTS[name]
        if name in api_docs.EXAMPLES:
            schema["example"] = api_docs.EXAMPLES[name]
    return result
