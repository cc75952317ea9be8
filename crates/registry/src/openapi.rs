//! The OpenAPI 3.1 document served at `/openapi.json`, generated from the
//! response types ([`crate::views`], [`Receipt`], [`AccessGrant`],
//! [`Problem`]) with schemars (JSON Schema 2020-12, the dialect OpenAPI 3.1
//! uses). Every operation documents its success body and, as `default`,
//! the RFC 9457 problem document every refusal carries. The tlog-tiles
//! paths (`/tile/…`) are not described: their paths contain slashes that
//! OpenAPI path parameters cannot, and C2SP tlog-tiles specifies them.

use crate::service::Receipt;
use crate::views::{
    Alerts, EventPage, FullState, LabView, Leaderboard, Pacts, Participants, RegistryInfo,
    StateSummary,
};
use crate::wire::{AccessGrant, Problem};
use accord_tlog::merkle::MAX_TREE_SIZE;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

/// What an operation answers on success.
enum Body {
    Json(Value),
    Text(&'static str),
}

struct Operation {
    method: &'static str,
    path: &'static str,
    id: &'static str,
    summary: &'static str,
    parameters: Vec<Value>,
    request_text: bool,
    success: Body,
}

fn json_body<T: JsonSchema>(generator: &mut SchemaGenerator) -> Body {
    Body::Json(generator.subschema_for::<T>().to_value())
}

fn path_parameter(name: &str, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "schema": schema, "description": description })
}

fn query_parameter(name: &str, required: bool, description: &str) -> Value {
    json!({
        "name": name, "in": "query", "required": required,
        "schema": { "type": "integer", "format": "uint64", "minimum": 0, "maximum": MAX_TREE_SIZE },
        "description": description,
    })
}

fn string_query(name: &str, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "schema": { "type": "string" }, "description": description })
}

/// The document.
pub fn document() -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "#/components/schemas/".into())
        .for_serialize()
        .into_generator();
    let lab = || path_parameter("lab", json!({ "type": "string" }), "A lab's participant id");
    let index = || {
        path_parameter(
            "index",
            json!({ "type": "integer", "format": "uint64", "minimum": 0, "maximum": MAX_TREE_SIZE }),
            "Log index",
        )
    };
    let operations = vec![
        Operation {
            method: "post",
            path: "/v1/events",
            id: "submitEvent",
            summary: "Submit a signed event (a C2SP signed note: `accord-registry/event/v1`, the event's canonical JSON, the author's signature); answered once durably logged",
            parameters: vec![],
            request_text: true,
            success: json_body::<Receipt>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/events",
            id: "events",
            summary: "The history: logged events in order, filtered by author, participant (`about`) or `type`; one page of at most 1024 scanned entries, follow `next`",
            parameters: vec![
                query_parameter("start", false, "First log index to scan (default 1)"),
                string_query("author", "Only events by this author"),
                string_query("about", "Only events by or about this participant"),
                string_query("type", "Only events of this type"),
            ],
            request_text: false,
            success: json_body::<EventPage>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/registry",
            id: "registryInfo",
            summary: "The log origin, its verifier key and the genesis (protocol and first secretariat key)",
            parameters: vec![],
            request_text: false,
            success: json_body::<RegistryInfo>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/state",
            id: "stateSummary",
            summary: "Log size, period, state hash and checkpoints (latest and witnessed)",
            parameters: vec![],
            request_text: false,
            success: json_body::<StateSummary>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/state/full",
            id: "stateFull",
            summary: "The protocol core's whole state",
            parameters: vec![],
            request_text: false,
            success: json_body::<FullState>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/participants",
            id: "participants",
            summary: "Registered participants with roles and keys",
            parameters: vec![],
            request_text: false,
            success: json_body::<Participants>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/labs/{lab}",
            id: "lab",
            summary: "A lab's credits, obligations, sanction level, access decision and evidence",
            parameters: vec![lab()],
            request_text: false,
            success: json_body::<LabView>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/leaderboard",
            id: "leaderboard",
            summary: "The leaderboard",
            parameters: vec![],
            request_text: false,
            success: json_body::<Leaderboard>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/pacts",
            id: "pacts",
            summary: "Pacts, pledges and status",
            parameters: vec![],
            request_text: false,
            success: json_body::<Pacts>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/alerts",
            id: "alerts",
            summary: "Early-warning alerts",
            parameters: vec![],
            request_text: false,
            success: json_body::<Alerts>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/access/{lab}",
            id: "accessGrant",
            summary: "A signed compute-access grant bound to the witnessed checkpoint, with inclusion proofs of its evidence",
            parameters: vec![lab()],
            request_text: false,
            success: json_body::<AccessGrant>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/log/entries/{index}",
            id: "entry",
            summary: "A log entry (a signed event, or the genesis at 0)",
            parameters: vec![index()],
            request_text: false,
            success: Body::Text("text/plain"),
        },
        Operation {
            method: "get",
            path: "/v1/log/proof/{index}",
            id: "inclusionProof",
            summary: "A tlog-proof bundle (c2sp.org/tlog-proof@v1) of an entry in the witnessed checkpoint",
            parameters: vec![
                index(),
                query_parameter("size", false, "Must be the witnessed checkpoint's size"),
            ],
            request_text: false,
            success: Body::Text("text/plain"),
        },
        Operation {
            method: "get",
            path: "/v1/log/consistency",
            id: "consistencyProof",
            summary: "A consistency proof between two tree sizes, one base64 hash per line",
            parameters: vec![
                query_parameter("old", true, "Older tree size"),
                query_parameter("new", false, "Newer tree size (default: the latest)"),
            ],
            request_text: false,
            success: Body::Text("text/plain"),
        },
        Operation {
            method: "get",
            path: "/checkpoint",
            id: "checkpoint",
            summary: "The witnessed checkpoint (C2SP tlog-checkpoint note with cosignatures)",
            parameters: vec![],
            request_text: false,
            success: Body::Text("text/plain"),
        },
    ];
    let problem = generator.subschema_for::<Problem>().to_value();
    let mut paths = Map::new();
    for op in operations {
        let content = match op.success {
            Body::Json(schema) => json!({ "application/json": { "schema": schema } }),
            Body::Text(mime) => json!({ mime: { "schema": { "type": "string" } } }),
        };
        let mut operation = json!({
            "operationId": op.id,
            "summary": op.summary,
            "parameters": op.parameters,
            "responses": {
                "200": { "description": "Success", "content": content },
                "default": {
                    "description": "An RFC 9457 problem document naming the rule and the field",
                    "content": { "application/problem+json": { "schema": problem } },
                },
            },
        });
        if op.request_text {
            operation["requestBody"] = json!({
                "required": true,
                "content": { "text/plain": { "schema": { "type": "string", "maxLength": crate::http::MAX_BODY_BYTES } } },
            });
        }
        let entry = paths
            .entry(op.path)
            .or_insert_with(|| Value::Object(Map::new()));
        entry[op.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Accord registry",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Runs a coordination protocol on signed events and a witnessed transparency log; every state it serves is the fold of the protocol core over that log.",
        },
        "paths": paths,
        "components": { "schemas": generator.take_definitions(true) },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reference_resolves_to_a_component() {
        let document = document();
        let text = document.to_string();
        let schemas = document["components"]["schemas"].as_object().unwrap();
        for reference in text.split("\"$ref\":\"").skip(1) {
            let target = reference.split('"').next().unwrap();
            let name = target
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected reference {target}"));
            assert!(schemas.contains_key(name), "dangling reference {target}");
        }
        for name in [
            "Receipt",
            "Problem",
            "AccessGrant",
            "StateSummary",
            "LabView",
        ] {
            assert!(schemas.contains_key(name), "{name} missing");
        }
        assert_eq!(document["paths"].as_object().unwrap().len(), 14);
        assert!(document["paths"]["/v1/events"]["get"].is_object());
        assert!(document["paths"]["/v1/events"]["post"].is_object());
    }
}
