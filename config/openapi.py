"""OpenAPI post-processing: every operation documents the errors it can answer with.

The API's refusals have one shape (config/api.py): `{"detail": …, "code": …, "field": …}` for domain
errors, DRF's `{"detail": …}` for authentication, permission, not-found and throttling, and
`{field: [messages]}` for invalid input. This hook adds 400 (operations that take a body or query
parameters), 401, 403, 404, 429 (and 409, 415 for writes) with that schema to every operation that does not document them
itself, so that a client — and the schema-driven fuzzing in tests/security — can rely on the
document for every answer except a server error, which must never happen."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "Lỗi / error. `detail`: thông báo tiếng Việt; `code`: mã lỗi; `field`: trường sai. "
    "Dữ liệu không hợp lệ: {tên trường: [thông báo]}.",
    # `code` and `field` are also ordinary field names: a validation answer may carry a list there.
    "properties": {
        name: {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
        for name in ("detail", "code", "field")
    },
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Dữ liệu không hợp lệ / invalid input",
    "401": "Chưa đăng nhập / not authenticated",
    "403": "Không có quyền / permission denied",
    "404": "Không tìm thấy / not found",
    "409": "Xung đột trạng thái / conflict with the current state",
    "415": "Kiểu nội dung không được hỗ trợ / unsupported media type",
    "429": "Quá nhiều yêu cầu / throttled",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"} or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            codes = ["401", "403", "404", "429"]
            if method in WRITE_METHODS or operation.get("parameters"):
                codes.insert(0, "400")
            if method in WRITE_METHODS:
                codes += ["409", "415"]
            for code in codes:
                responses.setdefault(
                    code,
                    {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": ref}}},
                )
    return result
