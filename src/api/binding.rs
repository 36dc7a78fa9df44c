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
/// The Broker and Events APIs' request schemas are in the same place (no name is in two).
static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
    use utoipa::OpenApi;
    let mut document = serde_json::to_value(super::ApiDoc::openapi()).unwrap_or(Value::Null);
    for other in [
        serde_json::to_value(super::broker::BrokerDoc::openapi()).unwrap_or(Value::Null),
        serde_json::to_value(super::events::EventsDoc::openapi()).unwrap_or(Value::Null),
    ] {
        if let (Some(Value::Object(schemas)), Some(Value::Object(more))) = (
            document.pointer_mut("/components/schemas"),
            other.pointer("/components/schemas"),
        ) {
            for (name, schema) in more {
                schemas
                    .entry(name.clone())
                    .or_insert_with(|| schema.clone());
            }
        }
    }
    document
});

/// Deeper than any request of the API: a guard against hostile nesting.
const MAX_DEPTH: usize = 32;

/// Reads `value` as the schema `schema` of the document (`"SendRequest"`), as Altinn binds.
pub fn bind<T: DeserializeOwned>(value: Value, schema: &str, at: &str) -> Result<T, Problem> {
    let shaped = normalise(value, schema);
    serde_json::from_value(shaped).map_err(|e| Problem::field(at, e.to_string()))
}

/// Reads form fields named in Altinn's dot notation (`correspondence.content.messageTitle`,
/// `recipients[0]`, `correspondence.propertyList.caseNumber`) as the schema `schema`: texts
/// become the booleans and numbers the schema asks for, as ASP.NET's form binding does.
pub fn bind_form<T: DeserializeOwned>(form: &Form, schema: &str) -> Result<T, Problem> {
    let shaped = shape(form.value.clone(), schema, true);
    serde_json::from_value(shaped).map_err(|e| Problem::field("form", e.to_string()))
}

/// `value` with its property names as the schema spells them, enum values by their name, and
/// properties the schema does not know left out. Maps (`propertyList`) keep their keys.
pub fn normalise(value: Value, schema: &str) -> Value {
    shape(value, schema, false)
}

fn shape(value: Value, schema: &str, form: bool) -> Value {
    let root = serde_json::json!({ "$ref": format!("#/components/schemas/{schema}") });
    walk(value, &root, 0, form)
}

/// Form fields in dot notation gathered into one JSON value, in the order they came.
#[derive(Debug, Default)]
pub struct Form {
    value: Value,
}

/// More list entries than this in one field name (`recipients[100000]`) is refused.
const MAX_INDEX: usize = 10_000;

impl Form {
    /// Adds the field `name` (`a.b[2].c`) with its text; a name that cannot be read is refused.
    pub fn insert(&mut self, name: &str, text: String) -> Result<(), Problem> {
        let bad = || {
            Problem::field(
                name,
                "a field name in dot notation, such as correspondence.content.messageTitle or recipients[0]",
            )
        };
        let mut steps = Vec::new();
        for segment in name.split('.') {
            let (key, mut rest) = match segment.find('[') {
                Some(at) => (&segment[..at], &segment[at..]),
                None => (segment, ""),
            };
            if key.is_empty() {
                return Err(bad());
            }
            steps.push(Step::Key(key.to_owned()));
            while let Some(inner) = rest.strip_prefix('[') {
                let close = inner.find(']').ok_or_else(bad)?;
                let index: usize = inner[..close].trim().parse().map_err(|_| bad())?;
                if index > MAX_INDEX {
                    return Err(bad());
                }
                steps.push(Step::Index(index));
                rest = &inner[close + 1..];
            }
            if !rest.is_empty() {
                return Err(bad());
            }
        }
        let mut slot = &mut self.value;
        for step in steps {
            slot = match step {
                Step::Key(key) => {
                    if !slot.is_object() {
                        *slot = Value::Object(Map::new());
                    }
                    let map = slot.as_object_mut().ok_or_else(bad)?;
                    // Names in any case address the same property.
                    let existing = map.keys().find(|k| k.eq_ignore_ascii_case(&key)).cloned();
                    map.entry(existing.unwrap_or(key)).or_insert(Value::Null)
                }
                Step::Index(index) => {
                    if !slot.is_array() {
                        *slot = Value::Array(Vec::new());
                    }
                    let list = slot.as_array_mut().ok_or_else(bad)?;
                    if list.len() <= index {
                        list.resize(index + 1, Value::Null);
                    }
                    &mut list[index]
                }
            };
        }
        *slot = Value::String(text);
        Ok(())
    }

    /// The value at a dot path in any case (`correspondence.resourceId`), once shaped.
    pub fn text_at(&self, schema: &str, pointer: &str) -> Option<String> {
        shape(self.value.clone(), schema, true)
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_null()
    }
}

enum Step {
    Key(String),
    Index(usize),
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

fn walk(value: Value, schema: &Value, depth: usize, form: bool) -> Value {
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
                        out.insert(name.clone(), walk(item, sub, depth + 1, form));
                    }
                }
                Value::Object(out)
            } else if let Some(values) =
                schema.get("additionalProperties").filter(|s| s.is_object())
            {
                Value::Object(
                    map.into_iter()
                        .map(|(k, v)| (k, walk(v, values, depth + 1, form)))
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
                    .map(|v| walk(v, item_schema, depth + 1, form))
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
        // A form's texts as the booleans and numbers the schema asks for.
        Value::String(s) if form && schema_type(schema) == Some("boolean") => {
            match s.trim().to_ascii_lowercase().as_str() {
                "true" | "on" => Value::Bool(true),
                "false" | "off" | "" => Value::Bool(false),
                _ => Value::String(s),
            }
        }
        Value::String(s) if form && matches!(schema_type(schema), Some("integer" | "number")) => {
            match s.trim().parse::<serde_json::Number>() {
                Ok(n) => walk(Value::Number(n), schema, depth, form),
                Err(_) => Value::String(s),
            }
        }
        Value::String(s) => match enum_names(schema) {
            // By name in any case, or by its number written as text ("2").
            Some(names) => names
                .iter()
                .find(|name| name.eq_ignore_ascii_case(&s))
                .or_else(|| s.trim().parse::<usize>().ok().and_then(|i| names.get(i)))
                .map_or(Value::String(s), |name| Value::String((*name).to_owned())),
            None => Value::String(s),
        },
        other => other,
    }
}

/// The schema's type (`"boolean"`), also when it is written as a list with `"null"`.
fn schema_type(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ => None,
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
    fn dot_notation_form_fields_make_the_request() {
        let mut form = Form::default();
        for (name, text) in [
            ("Correspondence.ResourceId", "skatt"),
            ("correspondence.sendersReference", "ref"),
            ("correspondence.content.messageTitle", "Hei"),
            ("correspondence.isConfirmationNeeded", "true"),
            (
                "correspondence.replyOptions[1].linkURL",
                "https://b.example",
            ),
            (
                "correspondence.replyOptions[0].linkUrl",
                "https://a.example",
            ),
            ("correspondence.propertyList.caseNumber", "12"),
            ("correspondence.notification.notificationChannel", "1"),
            (
                "recipients[0]",
                "urn:altinn:organization:identifier-no:974760673",
            ),
        ] {
            assert!(form.insert(name, text.to_owned()).is_ok(), "{name}");
        }
        let shaped = shape(form.value.clone(), "SendRequest", true);
        assert_eq!(shaped["correspondence"]["resourceId"], "skatt");
        assert_eq!(shaped["correspondence"]["isConfirmationNeeded"], true);
        assert_eq!(
            shaped["correspondence"]["replyOptions"][0]["linkURL"],
            "https://a.example"
        );
        assert_eq!(
            shaped["correspondence"]["replyOptions"][1]["linkURL"],
            "https://b.example"
        );
        assert_eq!(shaped["correspondence"]["propertyList"]["caseNumber"], "12");
        assert_eq!(
            shaped["correspondence"]["notification"]["notificationChannel"],
            "Sms"
        );
        assert_eq!(
            form.text_at("SendRequest", "/correspondence/resourceId")
                .as_deref(),
            Some("skatt")
        );
        for bad in [
            "",
            "a..b",
            "recipients[x]",
            "recipients[0",
            "recipients[99999999]",
            "a[0]b",
        ] {
            assert!(Form::default().insert(bad, String::new()).is_err(), "{bad}");
        }
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
