//! The JSON Schema (draft 2020-12) of a schedule file, generated from the
//! types that read it (`raw`), so that the two cannot drift apart: what
//! `nedetid schema` prints, `build` publishes as `schema.json`, and the
//! editors' YAML extension reads through the `# yaml-language-server:
//! $schema=` line of the files `init` writes.

use serde_json::Value;

/// The name the schema is published under, beside the feeds.
pub const FILE_NAME: &str = "schema.json";

/// The schema as pretty JSON, ending in a line break.
pub fn json() -> String {
    let mut schema = schemars::schema_for!(crate::raw::RawFile);
    schema.insert(
        "description".into(),
        "One schedule file of nedetid (planned downtime as iCalendar feeds). Every section is optional; the files of a folder are read together. `nedetid check` checks what a schema cannot: that systems exist, ids are unique, dates are real and rules give the dates named.".into(),
    );
    let mut value = schema.to_value();
    drop_null(&mut value);
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// An optional key is written or left out: `anyOf: [X, null]` becomes X,
/// so that an editor names the mistake in a value ("not one of confirmed,
/// tentative, cancelled") rather than "not null". An empty key (`title:`)
/// is then flagged too, which `check` reads as absent.
fn drop_null(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let replacement = match map.get("anyOf") {
                Some(Value::Array(alts)) if alts.len() == 2 => {
                    let is_null = |a: &Value| a.get("type") == Some(&Value::from("null"));
                    match (is_null(&alts[0]), is_null(&alts[1])) {
                        (false, true) => Some(alts[0].clone()),
                        (true, false) => Some(alts[1].clone()),
                        _ => None,
                    }
                }
                _ => None,
            };
            if let Some(Value::Object(inner)) = replacement {
                map.remove("anyOf");
                for (k, x) in inner {
                    map.entry(k).or_insert(x);
                }
            }
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types[0].clone();
                    map.insert("type".into(), only);
                }
            }
            map.values_mut().for_each(drop_null);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of every object in the schema has a description, and no
    /// optional key is `null`-able.
    #[test]
    fn every_key_has_a_description_and_none_is_null() {
        let schema: Value = serde_json::from_str(&json()).unwrap();
        let mut missing = Vec::new();
        let mut stack = vec![("$".to_string(), &schema)];
        while let Some((path, v)) = stack.pop() {
            if let Some(props) = v.get("properties").and_then(Value::as_object) {
                for (k, p) in props {
                    if p.get("description")
                        .and_then(Value::as_str)
                        .is_none_or(str::is_empty)
                    {
                        missing.push(format!("{path}.{k}"));
                    }
                }
            }
            if let Some(defs) = v.get("$defs").and_then(Value::as_object) {
                stack.extend(defs.iter().map(|(k, d)| (k.clone(), d)));
            }
        }
        assert!(missing.is_empty(), "{missing:?}");
        assert!(!json().contains("\"null\""));
        assert!(json().contains("\"$schema\": \"https://json-schema.org/draft/2020-12/schema\""));
        // Every section and every key of an outage is there.
        for key in [
            "settings",
            "systems",
            "outages",
            "maintenance",
            "first-day",
            "still-works",
            "skip-months",
            "start-time",
        ] {
            assert!(json().contains(&format!("\"{key}\"")), "{key}");
        }
    }
}
