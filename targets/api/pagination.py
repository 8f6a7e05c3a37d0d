from __future__ import annotations

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """?page= and ?page_size= (at most 200: a larger value is answered with 200 rows, as in v1)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_schema_operation_parameters(self, view):
        page, size = super().get_schema_operation_parameters(view)
        page["schema"]["minimum"] = 1
        page["description"] = "页码，从 1 开始；超出最后一页时 404。Page number from 1; past the last page: 404."
        size["schema"].update(minimum=1, maximum=self.max_page_size, default=self.page_size)
        size["description"] = (
            f"每页条数，1–{self.max_page_size}，默认 {self.page_size}；更大的值按 {self.max_page_size} 返回。"
            f"Rows per page, 1 to {self.max_page_size} (default {self.page_size}); a larger value answers "
            f"{self.max_page_size} rows."
        )
        return [page, size]

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["count", "next", "previous", "results"]
        for name in ("next", "previous"):
            response["properties"][name]["example"] = (
                f"https://duban.example.gov.cn/api/v1/projects/?page={2 if name == 'next' else 1}"
            )
        return response
