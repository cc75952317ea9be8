//! The OpenAPI 3.1 document served at `/openapi.json`, generated from the
//! response types ([`crate::views`], [`Receipt`], [`AccessGrant`],
//! [`Problem`]) with schemars (JSON Schema 2020-12, the dialect OpenAPI 3.1
//! uses). Every operation documents its success body and, as `default`,
//! the RFC 9457 problem document every refusal carries. The tlog-tiles
//! paths (`/tile/…`) are not described: their paths contain slashes that
//! OpenAPI path parameters cannot, and C2SP tlog-tiles specifies them.

use crate::channel::wire::{
    ChannelKeys, InboxMessage, InboxRequest, MessageAccepted, MonitorMessage, ReportAccepted,
    ReportList, ReportSubmission, ReportView,
};
use crate::service::Receipt;
use crate::views::{
    Alerts, EventPage, FullState, IndexScores, LabView, Leaderboard, Pacts, Participants,
    RegistryInfo, StateSummary,
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
    request: Request,
    success: Body,
}

/// What an operation takes as its body.
enum Request {
    None,
    /// A signed note.
    Text,
    /// JSON of this schema, up to the channel's body limit.
    Json(Value),
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
    let mut operations = vec![
        Operation {
            method: "post",
            path: "/v1/events",
            id: "submitEvent",
            summary: "Submit a signed event (a C2SP signed note: `accord-registry/event/v1`, the event's canonical JSON, the author's signature); answered once durably logged",
            parameters: vec![],
            request: Request::Text,
            success: json_body::<Receipt>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/events",
            id: "events",
            summary: "The history: logged events in order, filtered by author, participant (`about`) or `type`; one page of at most 1024 scanned entries, follow `next`; an unknown parameter is a 400 naming it",
            parameters: vec![
                query_parameter("start", false, "First log index to scan (default 1)"),
                string_query("author", "Only events by this author"),
                string_query("about", "Only events by or about this participant"),
                string_query("type", "Only events of this type"),
            ],
            request: Request::None,
            success: json_body::<EventPage>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/registry",
            id: "registryInfo",
            summary: "The log origin, its verifier key and the genesis (protocol and first secretariat key)",
            parameters: vec![],
            request: Request::None,
            success: json_body::<RegistryInfo>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/state",
            id: "stateSummary",
            summary: "Log size, period, state hash and checkpoints (latest and witnessed)",
            parameters: vec![],
            request: Request::None,
            success: json_body::<StateSummary>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/state/full",
            id: "stateFull",
            summary: "The protocol core's whole state",
            parameters: vec![],
            request: Request::None,
            success: json_body::<FullState>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/participants",
            id: "participants",
            summary: "Registered participants with roles and keys",
            parameters: vec![],
            request: Request::None,
            success: json_body::<Participants>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/labs/{lab}",
            id: "lab",
            summary: "A lab's credits, obligations, sanction level, access decision and evidence",
            parameters: vec![lab()],
            request: Request::None,
            success: json_body::<LabView>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/leaderboard",
            id: "leaderboard",
            summary: "The leaderboard",
            parameters: vec![],
            request: Request::None,
            success: json_body::<Leaderboard>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/leaderboard/indices/{id}",
            id: "indexScores",
            summary: "A rating index's scores at the witnessed checkpoint, edition by edition, each with the log entry of its assessment",
            parameters: vec![path_parameter(
                "id",
                json!({ "type": "string" }),
                "The index id, as the protocol file declares it",
            )],
            request: Request::None,
            success: json_body::<IndexScores>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/pacts",
            id: "pacts",
            summary: "Pacts, pledges and status",
            parameters: vec![],
            request: Request::None,
            success: json_body::<Pacts>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/alerts",
            id: "alerts",
            summary: "Early-warning alerts",
            parameters: vec![],
            request: Request::None,
            success: json_body::<Alerts>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/access/{lab}",
            id: "accessGrant",
            summary: "A signed compute-access grant bound to the witnessed checkpoint, with inclusion proofs of its evidence",
            parameters: vec![lab()],
            request: Request::None,
            success: json_body::<AccessGrant>(&mut generator),
        },
        Operation {
            method: "get",
            path: "/v1/log/entries/{index}",
            id: "entry",
            summary: "A log entry (a signed event, or the genesis at 0)",
            parameters: vec![index()],
            request: Request::None,
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
            request: Request::None,
            success: Body::Text("text/plain"),
        },
        Operation {
            method: "get",
            path: "/v1/log/consistency",
            id: "consistencyProof",
            summary: "A consistency proof between two tree sizes, one base64 hash per line",
            parameters: vec![
                query_parameter(
                    "old",
                    true,
                    "Older tree size: at least 1 and at most new (otherwise 400)",
                ),
                query_parameter(
                    "new",
                    false,
                    "Newer tree size, at most the published size (default: the witnessed checkpoint's size)",
                ),
            ],
            request: Request::None,
            success: Body::Text("text/plain"),
        },
        Operation {
            method: "get",
            path: "/checkpoint",
            id: "checkpoint",
            summary: "The witnessed checkpoint (C2SP tlog-checkpoint note with cosignatures)",
            parameters: vec![],
            request: Request::None,
            success: Body::Text("text/plain"),
        },
    ];
    operations.extend(channel_operations(&mut generator));
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
        match op.request {
            Request::None => {}
            Request::Text => {
                operation["requestBody"] = json!({
                    "required": true,
                    "content": { "text/plain": { "schema": { "type": "string", "maxLength": crate::http::MAX_BODY_BYTES } } },
                });
            }
            Request::Json(schema) => {
                operation["requestBody"] = json!({
                    "required": true,
                    "content": { "application/json": { "schema": schema } },
                });
            }
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

/// The whistleblower channel's operations (`crate::channel::http`).
fn channel_operations(generator: &mut SchemaGenerator) -> Vec<Operation> {
    let signature = || {
        json!({
            "name": crate::channel::wire::SIGNATURE_HEADER, "in": "header", "required": true,
            "schema": { "type": "string" },
            "description": "A monitor's signed request (base64 of a C2SP signed note; see docs/whistleblower.md)",
        })
    };
    let commitment = || {
        path_parameter(
            "commitment",
            json!({ "type": "string" }),
            "A report's commitment (SHA-256 of its envelope, hex)",
        )
    };
    vec![
        Operation {
            method: "get",
            path: "/v1/channel/keys",
            id: "channelKeys",
            summary: "The report monitors' keys (reports are sealed to them, in this order) and the issuers' token keys",
            parameters: vec![],
            request: Request::None,
            success: json_body::<ChannelKeys>(generator),
        },
        Operation {
            method: "post",
            path: "/v1/channel/reports",
            id: "submitReport",
            summary: "Submit a report sealed to the report monitors, with a single-use token; its commitment is logged as a whistleblower receipt",
            parameters: vec![],
            request: Request::Json(generator.subschema_for::<ReportSubmission>().to_value()),
            success: json_body::<ReportAccepted>(generator),
        },
        Operation {
            method: "get",
            path: "/v1/channel/reports",
            id: "channelReports",
            summary: "Reports logged after a log index, for the report monitors (signed request)",
            parameters: vec![
                query_parameter(
                    "after",
                    false,
                    "Only reports logged after this index (default 0)",
                ),
                signature(),
            ],
            request: Request::None,
            success: json_body::<ReportList>(generator),
        },
        Operation {
            method: "get",
            path: "/v1/channel/reports/{commitment}",
            id: "channelReport",
            summary: "A sealed report and its conversation, for the report monitors (signed request)",
            parameters: vec![commitment(), signature()],
            request: Request::None,
            success: json_body::<ReportView>(generator),
        },
        Operation {
            method: "post",
            path: "/v1/channel/reports/{commitment}/messages",
            id: "monitorMessage",
            summary: "A report monitor writes to a report's conversation (signed request; sealed to the reporter and the monitors)",
            parameters: vec![commitment(), signature()],
            request: Request::Json(generator.subschema_for::<MonitorMessage>().to_value()),
            success: json_body::<MessageAccepted>(generator),
        },
        Operation {
            method: "post",
            path: "/v1/channel/inbox",
            id: "inbox",
            summary: "The reporter's conversation, opened with what the receipt code derives (rate-limited for everyone together)",
            parameters: vec![],
            request: Request::Json(generator.subschema_for::<InboxRequest>().to_value()),
            success: json_body::<ReportView>(generator),
        },
        Operation {
            method: "post",
            path: "/v1/channel/inbox/messages",
            id: "inboxMessage",
            summary: "The reporter answers the monitors (rate-limited for everyone together)",
            parameters: vec![],
            request: Request::Json(generator.subschema_for::<InboxMessage>().to_value()),
            success: json_body::<MessageAccepted>(generator),
        },
    ]
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
        assert_eq!(document["paths"].as_object().unwrap().len(), 21);
        assert!(document["paths"]["/v1/channel/reports"]["get"].is_object());
        assert!(document["paths"]["/v1/channel/reports"]["post"].is_object());
        assert!(document["paths"]["/v1/events"]["get"].is_object());
        assert!(document["paths"]["/v1/events"]["post"].is_object());
    }
}
