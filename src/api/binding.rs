//! Requests read as Altinn 3's ASP.NET Core API binds them, so its clients work unchanged:
//! property names in any case, enums by name in any case or by their number (the position in
//! the enum, as .NET numbers them), unknown properties ignored. The request is first brought to
//! the shape of melding's own OpenAPI document (the schema of the request type, walked with the
//! JSON), then read by serde as usual; the one description of the API drives both.

use std::sync::LazyLock;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::problem::Problem;

/// The served OpenAPI document as JSON, walked for the request schemas.
static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
    use utoipa::OpenApi;
    serde_json::to_value(super::ApiDoc::openapi()).unwrap_or(Value::Null)
});

/// Deeper than any request of the API: a guard against hostile nesting.
const MAX_DEPTH: usize = 32;

/// Reads `value` as the schema `schema` of the document (`"SendRequest"`), as Altinn binds.
pub fn bind<T: DeserializeOwned>(value: Value, schema: &str, at: &str) -> Result<T, Problem> {
    let shaped = normalise(value, schema);
    serde_json::from_value(shaped).map_err(|e| Problem::field(at, e.to_string()))
}

/// `value` with its property names as the schema spells them, enum values by their name, and
/// properties the schema does not know left out. Maps (`propertyList`) keep their keys.
pub fn normalise(value: Value, schema: &str) -> Value {
    let root = serde_json::json!({ "$ref": format!("#/components/schemas/{schema}") });
    walk(value, &root, 0)
}

/// The schema itself: references followed, a nullable wrapper (`oneOf` with `null`) opened.
fn resolve(schema: &Value) -> &Value {
    let mut current = schema;
    for _ in 0..8 {
        if let Some(reference) = current.get("$ref").and_then(Value::as_str) {
            let name = reference.trim_start_matches("#/components/schemas/");
            match DOCUMENT.pointer(&format!("/components/schemas/{name}")) {
                Some(found) => current = found,
                None => return current,
            }
            continue;
        }
        let alternatives = ["oneOf", "anyOf", "allOf"]
            .iter()
            .find_map(|k| current.get(*k).and_then(Value::as_array));
        match alternatives.and_then(|list| {
            list.iter()
                .find(|s| s.get("type").and_then(Value::as_str) != Some("null"))
        }) {
            Some(inner) => current = inner,
            None => return current,
        }
    }
    current
}

fn walk(value: Value, schema: &Value, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return value;
    }
    let schema = resolve(schema);
    match value {
        Value::Object(map) => {
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                let mut out = Map::new();
                for (key, item) in map {
                    // The exact name first, then any case (as ASP.NET Core reads them).
                    let known = properties.get_key_value(key.as_str()).or_else(|| {
                        properties
                            .iter()
                            .find(|(name, _)| name.eq_ignore_ascii_case(&key))
                    });
                    if let Some((name, sub)) = known
                        && !out.contains_key(name.as_str())
                    {
                        out.insert(name.clone(), walk(item, sub, depth + 1));
                    }
                }
                Value::Object(out)
            } else if let Some(values) =
                schema.get("additionalProperties").filter(|s| s.is_object())
            {
                Value::Object(
                    map.into_iter()
                        .map(|(k, v)| (k, walk(v, values, depth + 1)))
                        .collect(),
                )
            } else {
                Value::Object(map)
            }
        }
        Value::Array(items) => match schema.get("items") {
            Some(item_schema) => Value::Array(
                items
                    .into_iter()
                    .map(|v| walk(v, item_schema, depth + 1))
                    .collect(),
            ),
            None => Value::Array(items),
        },
        Value::Number(n) => match enum_names(schema) {
            Some(names) => n
                .as_u64()
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| names.get(i))
                .map_or(Value::Number(n), |name| Value::String((*name).to_owned())),
            None => Value::Number(n),
        },
        Value::String(s) => match enum_names(schema) {
            Some(names) => names
                .iter()
                .find(|name| name.eq_ignore_ascii_case(&s))
                .map_or(Value::String(s), |name| Value::String((*name).to_owned())),
            None => Value::String(s),
        },
        other => other,
    }
}

/// The names of a string enum, in their order (their numbers).
fn enum_names(schema: &Value) -> Option<Vec<&str>> {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|values| values.iter().filter_map(Value::as_str).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_in_any_case_enums_by_number_and_unknown_properties_left_out() {
        let shaped = normalise(
            json!({
                "Correspondence": {
                    "ResourceId": "skatt",
                    "SENDERSREFERENCE": "ref",
                    "Content": { "MessageTitle": "Hei", "Language": "nb" },
                    "Notification": { "NotificationChannel": 2, "NotificationTemplate": "genericaltinnmessage" },
                    "ReplyOptions": [{ "LinkUrl": "https://example.no", "linkText": "Svar" }],
                    "PropertyList": { "CaseNumber": "12" },
                    "Unheard": true
                },
                "Recipients": ["urn:altinn:organization:identifier-no:974760673"],
                "idempotentKey": "k"
            }),
            "SendRequest",
        );
        assert_eq!(shaped["correspondence"]["resourceId"], "skatt");
        assert_eq!(shaped["correspondence"]["sendersReference"], "ref");
        assert_eq!(shaped["correspondence"]["content"]["messageTitle"], "Hei");
        assert_eq!(
            shaped["correspondence"]["notification"]["notificationChannel"],
            "EmailPreferred"
        );
        assert_eq!(
            shaped["correspondence"]["notification"]["notificationTemplate"],
            "GenericAltinnMessage"
        );
        assert_eq!(
            shaped["correspondence"]["replyOptions"][0]["linkURL"],
            "https://example.no"
        );
        assert_eq!(shaped["correspondence"]["propertyList"]["CaseNumber"], "12");
        assert!(shaped["correspondence"].get("Unheard").is_none());
        assert_eq!(
            shaped["recipients"][0],
            "urn:altinn:organization:identifier-no:974760673"
        );
    }

    #[test]
    fn hostile_nesting_stops() {
        let mut deep = json!(1);
        for _ in 0..200 {
            deep = json!({ "correspondence": deep });
        }
        let _ = normalise(deep, "SendRequest");
    }
}
