//! Text for the report: HTML escaping and how numbers are written.

use crate::assess::reba::{reba_risk, RebaRisk};
use crate::assess::reps::Grade;
use crate::assess::LiftStyle;

/// Escapes text for HTML element content and quoted attribute values:
/// `& < > " '` become entities, and control characters that HTML does not
/// allow (all C0 controls but tab, line feed and carriage return, DEL and
/// the C1 controls) become U+FFFD. Everything else, including non-ASCII,
/// is kept (the page is UTF-8).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Seconds with two decimals ("3.40"), or "–" when not finite.
pub(crate) fn secs(t: f64) -> String {
    if t.is_finite() {
        format!("{t:.2}")
    } else {
        "–".into()
    }
}

/// A clip length for the summary: "12.3 s" under a minute, else
/// "2 min 05 s"; "–" when not finite or negative.
pub(crate) fn duration(t: f64) -> String {
    if !(t.is_finite() && t >= 0.0) {
        return "–".into();
    }
    if t < 59.95 {
        format!("{t:.1} s")
    } else {
        let s = t.round() as u64;
        format!("{} min {:02} s", s / 60, s % 60)
    }
}

/// Whole degrees ("72°"), or "–" when missing or not finite.
pub(crate) fn deg(v: Option<f32>) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{:.0}°", v.round() + 0.0),
        _ => "–".into(),
    }
}

pub(crate) fn style(s: LiftStyle) -> &'static str {
    match s {
        LiftStyle::Squat => "squat",
        LiftStyle::SemiSquat => "semi-squat",
        LiftStyle::Stoop => "stoop",
        LiftStyle::Upright => "upright",
        LiftStyle::Unscorable => "unscorable",
    }
}

pub(crate) fn grade(g: Grade) -> &'static str {
    match g {
        Grade::Ungraded => "ungraded",
        Grade::Good => "good",
        Grade::Fair => "fair",
        Grade::Poor => "poor",
    }
}

pub(crate) fn risk(r: RebaRisk) -> &'static str {
    match r {
        RebaRisk::Negligible => "negligible",
        RebaRisk::Low => "low",
        RebaRisk::Medium => "medium",
        RebaRisk::High => "high",
        RebaRisk::VeryHigh => "very high",
    }
}

/// A REBA score with its risk level ("11 (very high)"), or "–".
pub(crate) fn reba(score: Option<u8>) -> String {
    match score {
        Some(s) => format!("{s} ({})", risk(reba_risk(s))),
        None => "–".into(),
    }
}

/// A number for a threshold table: no trailing ".0" ("20", "0.3", "12.5").
pub(crate) fn num(v: f32) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup_and_keeps_unicode() {
        assert_eq!(
            escape(r#"<script>alert(1)</script>&"'.mp4"#),
            "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;.mp4"
        );
        assert_eq!(escape("Größe 72° 日本.mov"), "Größe 72° 日本.mov");
        assert_eq!(
            escape("a\u{0}b\u{7f}c\u{85}d\te\n"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\te\n"
        );
    }

    #[test]
    fn numbers_are_written_with_their_units() {
        assert_eq!(secs(3.4), "3.40");
        assert_eq!(secs(f64::NAN), "–");
        assert_eq!(duration(12.34), "12.3 s");
        assert_eq!(duration(125.4), "2 min 05 s");
        assert_eq!(duration(59.97), "1 min 00 s");
        assert_eq!(duration(-1.0), "–");
        assert_eq!(deg(Some(71.6)), "72°");
        assert_eq!(deg(Some(-0.2)), "0°");
        assert_eq!(deg(Some(f32::INFINITY)), "–");
        assert_eq!(deg(None), "–");
        assert_eq!(reba(Some(11)), "11 (very high)");
        assert_eq!(reba(Some(4)), "4 (medium)");
        assert_eq!(reba(None), "–");
        assert_eq!(num(20.0), "20");
        assert_eq!(num(0.3), "0.3");
        assert_eq!(num(0.15), "0.15");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(0.0), "0");
    }
}
