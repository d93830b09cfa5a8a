"""Google's error bodies, shaped exactly as the recorded traffic shows them.

Every Sheets error is ``{"error": {"code", "message", "status"[, "details"]}}``; Drive
errors add the legacy ``errors`` list. Handlers raise `ApiError`; the server turns it
into the HTTP answer.
"""

from __future__ import annotations

import json
from typing import Any

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}

# Google's stock messages for the statuses that carry no specific one.
STOCK_MESSAGES = {
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}


class ApiError(Exception):
    """An error answer: HTTP status plus Google's JSON error body."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        *,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.message = message if message is not None else STOCK_MESSAGES.get(code, "Error")
        super().__init__(f"{code}: {self.message}")
        self.headers = headers or {}
        error: dict[str, Any] = {
            "code": code,
            "message": self.message,
            "status": STATUS_NAMES.get(code, "UNKNOWN"),
        }
        if details:
            error["details"] = details
        self.body = body if body is not None else {"error": error}


def bad_request(message: str) -> ApiError:
    """400 INVALID_ARGUMENT with a message."""
    return ApiError(400, message)


def not_found() -> ApiError:
    """404 for an unknown spreadsheet."""
    return ApiError(404)


def permission_denied() -> ApiError:
    """403 for a spreadsheet not shared with the caller."""
    return ApiError(403)


def unparsable_range(text: str) -> ApiError:
    """400 for a range Google cannot parse."""
    return ApiError(400, f"Unable to parse range: {text}")


def invalid_request(index: int, kind: str, reason: str) -> ApiError:
    """400 for one bad request inside spreadsheets.batchUpdate."""
    return ApiError(400, f"Invalid requests[{index}].{kind}: {reason}")


def _proto_repr(value: Any) -> str:
    # Google quotes the offending JSON value in these messages: strings as "X".
    return json.dumps(value, ensure_ascii=False)


def invalid_value(field: str, proto_type: str, value: Any) -> ApiError:
    """400 for a JSON value of the wrong type (e.g. ``values`` given as a string)."""
    message = f"Invalid value at '{field}' ({proto_type}), {_proto_repr(value)}"
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": field, "description": message}],
        }
    ]
    return ApiError(400, message, details=details)


def unknown_field(name: str, where: str) -> ApiError:
    """400 for a JSON field the API does not know (``Cannot find field``)."""
    message = (
        f"Invalid JSON payload received. Unknown name \"{name}\" at '{where}': Cannot find field."
    )
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": where, "description": message.split(". ", 1)[1]}],
        }
    ]
    return ApiError(400, message, details=details)


def quota_exceeded(
    write: bool, limit: int, retry_after: float | None = None, *, per_project: bool = False
) -> ApiError:
    """429 RESOURCE_EXHAUSTED, as Sheets answers when a per-minute quota is spent."""
    kind = "Write" if write else "Read"
    metric = "write_requests" if write else "read_requests"
    per = "" if per_project else " per user"
    message = (
        f"Quota exceeded for quota metric '{kind} requests' and limit "
        f"'{kind} requests per minute{per}' of service 'sheets.googleapis.com' "
        "for consumer 'project_number:000000000000'."
    )
    details: list[dict[str, Any]] = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "RATE_LIMIT_EXCEEDED",
            "domain": "googleapis.com",
            "metadata": {
                "quota_location": "global",
                "quota_metric": f"sheets.googleapis.com/{metric}",
                "quota_limit": f"{kind}RequestsPerMinutePer{'Project' if per_project else 'User'}",
                "quota_limit_value": str(limit),
                "service": "sheets.googleapis.com",
                "consumer": "projects/000000000000",
            },
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [
                {
                    "description": "Request a higher quota limit.",
                    "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                }
            ],
        },
    ]
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else None
    return ApiError(429, message, details=details, headers=headers)


def drive_not_found(file_id: str) -> ApiError:
    """Drive v3's 404 body (it still carries the v2-style ``errors`` list)."""
    message = f"File not found: {file_id}."
    body = {
        "error": {
            "code": 404,
            "message": message,
            "errors": [
                {
                    "message": message,
                    "domain": "global",
                    "reason": "notFound",
                    "location": "fileId",
                    "locationType": "parameter",
                }
            ],
        }
    }
    return ApiError(404, message, body=body)


PROJECT_NUMBER = "000000000000"
_SERVICES = {
    "sheets.googleapis.com": "Google Sheets API",
    "drive.googleapis.com": "Google Drive API",
}


def service_disabled(service: str) -> ApiError:
    """403 SERVICE_DISABLED: the API is not enabled in the caller's Cloud project."""
    title = _SERVICES.get(service, service)
    url = f"https://console.developers.google.com/apis/api/{service}/overview?project={PROJECT_NUMBER}"
    message = (
        f"{title} has not been used in project {PROJECT_NUMBER} before or it is disabled. "
        f"Enable it by visiting {url} then retry. If you enabled this API recently, wait a "
        "few minutes for the action to propagate to our systems and retry."
    )
    details: list[dict[str, Any]] = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "SERVICE_DISABLED",
            "domain": "googleapis.com",
            "metadata": {
                "consumer": f"projects/{PROJECT_NUMBER}",
                "service": service,
                "activationUrl": url,
                "containerInfo": PROJECT_NUMBER,
                "serviceTitle": title,
            },
        },
        {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US",
         "message": message},
        {"@type": "type.googleapis.com/google.rpc.Help",
         "links": [{"description": "Google developers console API activation", "url": url}]},
    ]  # fmt: skip
    return ApiError(403, message, details=details)


PAYLOAD_LIMIT = 10 * 1024 * 1024


def payload_too_large() -> ApiError:
    """400 for a request body over the API front end's limit."""
    return ApiError(400, f"Request payload size exceeds the limit: {PAYLOAD_LIMIT} bytes.")
