"""The OpenAPI 3.1 document of the exchange API, built from the batch contract itself
(services/exchange/schema.py), so the documented fields are the validated ones."""

from __future__ import annotations

from functools import cache
from typing import Any

from services.exchange.schema import DELETABLE, EXTERNAL_ID_MAX, SECTIONS, SPECS, Field

_REF = "#/components/schemas/"


def _field_schema(spec: Field) -> dict[str, Any]:
    external_id = {"type": "string", "minLength": 1, "maxLength": EXTERNAL_ID_MAX}
    schema: dict[str, Any]
    if spec.kind == "str":
        schema = {"type": "string", "minLength": 1, "maxLength": spec.max_len}
    elif spec.kind == "text":
        schema = {"type": "string", "minLength": 1}
    elif spec.kind == "date":
        schema = {"type": "string", "format": "date"}
    elif spec.kind == "int":
        schema = {"type": "integer", "minimum": spec.low, "maximum": spec.high}
    elif spec.kind == "bool":
        schema = {"type": "boolean"}
    elif spec.kind == "enum":
        schema = {"type": "string", "enum": list(spec.choices)}
    elif spec.kind == "enum_list":
        schema = {"type": "array", "items": {"type": "string", "enum": list(spec.choices)}}
    elif spec.kind == "ref":
        schema = dict(external_id)
    elif spec.kind == "refs":
        schema = {"type": "array", "items": external_id}
    else:
        schema = {"type": "array", "items": {
            "type": "object", "required": ["student", "relation"],
            "properties": {"student": external_id, "relation": {
                "type": "string", "enum": ["mother", "father", "guardian", "other"]}}}}
    if spec.description:
        schema["description"] = spec.description
    if not spec.required:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def _record_schema(section: str) -> dict[str, Any]:
    specs = SPECS[section]
    properties: dict[str, Any] = {
        "external_id": {"type": "string", "minLength": 1, "maxLength": EXTERNAL_ID_MAX,
                        "description": "unique per school and section"}}
    properties.update({name: _field_schema(spec) for name, spec in specs.items()})
    required = ["external_id", *(n for n, s in specs.items() if s.required)]
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False,
                              "properties": properties, "required": required}
    if section in DELETABLE:
        properties["deleted"] = {"type": "boolean", "const": True,
                                 "description": "delete the record; no other field needed"}
        schema = {"oneOf": [schema, {
            "type": "object", "additionalProperties": False, "required": ["external_id",
                                                                          "deleted"],
            "properties": {"external_id": properties["external_id"],
                           "deleted": properties["deleted"]}}]}
    return schema


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": _REF + schema}}}


def _answer(description: str, schema: str = "Error",
            headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description, "content": _json(schema)}
    if headers:
        answer["headers"] = headers
    return answer


_UNAUTHORIZED = _answer("missing, wrong or revoked token")
_RATE = _answer("over the per-token rate", headers={"Retry-After": {
    "description": "seconds to wait", "schema": {"type": "integer"}}})


@cache
def openapi_document() -> dict[str, Any]:
    counts = {"type": "object", "required": ["created", "updated", "unchanged", "deleted"],
              "properties": {k: {"type": "integer", "minimum": 0}
                             for k in ("created", "updated", "unchanged", "deleted")}}
    schemas: dict[str, Any] = {f"{s}_record": _record_schema(s) for s in SECTIONS}
    schemas["Batch"] = {
        "type": "object", "additionalProperties": False,
        "description": "Sections are optional and applied in this order.",
        "properties": {"initial_load": {"type": "boolean",
                                        "description": "a first fill: nothing is pushed"},
                       **{s: {"type": "array", "items": {"$ref": f"{_REF}{s}_record"}}
                          for s in SECTIONS}}}
    schemas["Applied"] = {"type": "object", "required": ["applied"], "properties": {
        "applied": {"type": "object", "additionalProperties": counts}}}
    schemas["Errors"] = {"type": "object", "required": ["errors"], "properties": {
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["section", "index", "external_id", "reason"],
            "properties": {"section": {"type": ["string", "null"]},
                           "index": {"type": ["integer", "null"]},
                           "external_id": {"type": ["string", "null"]},
                           "reason": {"type": "string"}}}}}}
    schemas["Error"] = {"type": "object", "required": ["error"],
                        "properties": {"error": {"type": "string"}}}
    schemas["Consents"] = {"type": "object", "required": ["students"], "properties": {
        "students": {"type": "array", "items": {
            "type": "object", "required": ["student", "guardians", "paper_due"],
            "properties": {
                "student": {"type": "string"}, "paper_due": {"type": "boolean"},
                "guardians": {"type": "array", "items": {
                    "type": "object",
                    "required": ["guardian", "relation", "decision", "decided_at",
                                 "prefers_paper"],
                    "properties": {
                        "guardian": {"type": ["string", "null"]},
                        "relation": {"type": "string"},
                        "decision": {"type": ["string", "null"],
                                     "enum": ["given", "refused", "withdrawn", None]},
                        "decided_at": {"type": ["string", "null"], "format": "date-time"},
                        "prefers_paper": {"type": "boolean"}}}}}}}}}
    schemas["Health"] = {"type": "object", "properties": {"status": {"const": "ok"}}}
    bearer: list[dict[str, list[str]]] = [{"bearer": []}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "School diary: journal exchange API", "version": "1.0.0",
                 "description": "A school's journal sends its records; the diary stores "
                 "them by external id and pushes what changed to families."},
        "paths": {
            "/healthz": {"get": {"operationId": "healthz", "summary": "liveness",
                                 "responses": {"200": _answer("up", "Health")}}},
            "/openapi.json": {"get": {"operationId": "openapi", "summary": "this document",
                                      "responses": {"200": {
                                          "description": "OpenAPI 3.1 document",
                                          "content": {"application/json": {
                                              "schema": {"type": "object"}}}}}}},
            "/api/v1/batch": {"post": {
                "operationId": "postBatch", "summary": "apply a batch of journal records",
                "security": bearer,
                "requestBody": {"required": True, "content": _json("Batch")},
                "responses": {
                    "200": _answer("applied: counts per section", "Applied"),
                    "400": _answer("malformed JSON, or not an object"),
                    "401": _UNAUTHORIZED,
                    "413": _answer("the body is over the limit"),
                    "422": _answer("refused whole, with a reason per record; nothing "
                                   "applied", "Errors"),
                    "429": _RATE}}},
            "/api/v1/consents": {"get": {
                "operationId": "getConsents", "security": bearer,
                "summary": "per student: each guardian's decision, whether paper is due",
                "responses": {"200": _answer("the report", "Consents"),
                              "401": _UNAUTHORIZED, "429": _RATE}}},
        },
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}},
    }
