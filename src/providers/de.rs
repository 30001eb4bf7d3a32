//! Lenient readers for API values: times with Graph's "never" sentinel, ISO-8601 durations
//! with .NET's TimeSpan.MaxValue, numbers and booleans that arrive as strings, and string
//! enums that keep unknown values instead of failing.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Graph writes "never" as `0001-01-01T00:00:00Z`; any time before 1971 is read as none.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let t = DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            // Some Graph fields omit the offset; they are UTC.
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").map(|n| n.and_utc())
        })
        .ok()?;
    (t.timestamp() > 365 * 24 * 3600).then_some(t)
}

/// The TimeSpan.MaxValue Graph uses for "no schedule".
pub const TIMESPAN_MAX: &str = "P10675199DT2H48M5.4775807S";

/// An ISO-8601 duration (`PT40M`, `P1DT2H`, `PT0.5S`, `P2W`) in whole seconds. Years and
/// months have no fixed length and give `None`, as do the TimeSpan.MaxValue sentinel and
/// anything over ten years.
pub fn parse_iso_duration(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.eq_ignore_ascii_case(TIMESPAN_MAX) {
        return None;
    }
    let rest = s.strip_prefix('P').or_else(|| s.strip_prefix('p'))?;
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut in_time = false;
    let mut num = String::new();
    let mut any = false;
    for c in rest.chars() {
        match c {
            'T' | 't' => {
                if !num.is_empty() || in_time {
                    return None;
                }
                in_time = true;
            }
            '0'..='9' | '.' | ',' => num.push(if c == ',' { '.' } else { c }),
            unit => {
                let n: f64 = num.parse().ok()?;
                num.clear();
                any = true;
                let secs = match (unit.to_ascii_uppercase(), in_time) {
                    ('W', false) => 7.0 * 86_400.0,
                    ('D', false) => 86_400.0,
                    ('H', true) => 3_600.0,
                    ('M', true) => 60.0,
                    ('S', true) => 1.0,
                    _ => return None,
                };
                total += n * secs;
            }
        }
    }
    if !num.is_empty() || !any {
        return None;
    }
    (total < 10.0 * 365.0 * 86_400.0).then_some(total as u64)
}

pub fn opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => parse_time(&s),
        _ => None,
    })
}

/// A number or a numeric string; anything else is none.
pub fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A boolean, or the strings `"true"`/`"False"` Entra sends.
pub fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Bool(b)) => Some(b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

/// An optional string where the empty string also means none.
pub fn opt_text<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<crate::sanitize::SafeText>, D::Error> {
    Ok(Option::<crate::sanitize::SafeText>::deserialize(d)?.filter(|s| !s.is_empty()))
}

/// A string enum of an API, with the documented values typed and anything else kept as
/// `Other` (APIs add values; a new one must not break a whole snapshot). Values are matched
/// case-insensitively.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $($wire:literal)|+),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            Other($crate::sanitize::SafeText),
        }

        impl $name {
            pub fn parse(s: &str) -> Self {
                $(
                    if [$($wire),+].iter().any(|w: &&str| w.eq_ignore_ascii_case(s.trim())) {
                        return Self::$variant;
                    }
                )+
                Self::Other($crate::sanitize::SafeText::new(s))
            }

            /// The API's spelling (the first one listed, for values with several).
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => [$($wire),+][0],)+
                    Self::Other(s) => s.as_str(),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok(Self::parse(&s))
            }
        }
    };
}
pub(crate) use string_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinel_time_is_none() {
        assert_eq!(parse_time("0001-01-01T00:00:00Z"), None);
        assert_eq!(parse_time("0001-01-01T00:00:00.0000000Z"), None);
        assert_eq!(parse_time("not a time"), None);
        let t = parse_time("2026-11-29T10:15:00.1234567Z").expect("7 fraction digits");
        assert_eq!(t.timestamp(), 1_795_947_300);
        assert!(parse_time("2026-11-29T10:15:00").is_some());
        assert!(parse_time("2026-11-29T11:15:00+01:00").is_some());
    }

    #[test]
    fn iso_durations() {
        assert_eq!(parse_iso_duration("PT40M"), Some(2400));
        assert_eq!(parse_iso_duration("PT1H30M"), Some(5400));
        assert_eq!(parse_iso_duration("P1DT2H"), Some(93_600));
        assert_eq!(parse_iso_duration("PT0.5S"), Some(0));
        assert_eq!(parse_iso_duration("PT90S"), Some(90));
        assert_eq!(parse_iso_duration("P2W"), Some(1_209_600));
        assert_eq!(parse_iso_duration(TIMESPAN_MAX), None);
        assert_eq!(parse_iso_duration("P10675199DT2H48M5.4775807S"), None);
        assert_eq!(parse_iso_duration("P1M"), None, "months are ambiguous");
        assert_eq!(parse_iso_duration("PT"), None);
        assert_eq!(parse_iso_duration("40 minutes"), None);
        assert_eq!(parse_iso_duration("PT40"), None);
        assert_eq!(parse_iso_duration("P"), None);
    }

    string_enum!(Colour {
        Red = "RED",
        Green = "GREEN" | "GREN"
    });

    #[test]
    fn string_enum_keeps_unknown_values() {
        assert_eq!(Colour::parse("red"), Colour::Red);
        assert_eq!(Colour::parse("gren"), Colour::Green);
        assert_eq!(Colour::parse("GREN").as_str(), "GREEN");
        let c: Colour = serde_json::from_str("\"Blue\\u001b[2J\"").expect("json");
        assert_eq!(c.as_str(), "Blue");
        assert_eq!(
            serde_json::to_string(&Colour::Red).expect("json"),
            "\"RED\""
        );
    }

    #[test]
    fn lenient_values() {
        #[derive(Deserialize)]
        struct T {
            #[serde(default, deserialize_with = "lenient_i64")]
            n: Option<i64>,
            #[serde(default, deserialize_with = "lenient_bool")]
            b: Option<bool>,
            #[serde(default, deserialize_with = "opt_time")]
            t: Option<DateTime<Utc>>,
        }
        let t: T = serde_json::from_str(r#"{"n":"42","b":"False","t":null}"#).expect("json");
        assert_eq!((t.n, t.b, t.t), (Some(42), Some(false), None));
        let t: T = serde_json::from_str(r#"{"n":7,"b":true}"#).expect("json");
        assert_eq!((t.n, t.b), (Some(7), Some(true)));
        let t: T = serde_json::from_str(r#"{"n":[1],"b":3,"t":5}"#).expect("lenient");
        assert_eq!((t.n, t.b, t.t), (None, None, None));
    }
}
