//! The one rule for free text people type (messages, descriptions, reasons, titles):
//! surrounding whitespace is trimmed, the text as sent is at most `max` characters, the
//! trimmed text at least `min`, and nothing inside it is a control character other
//! than line breaks and tabs.
//!
//! The same rule is published in the JSON API's OpenAPI document as `maxLength` plus a
//! [`TextRule::pattern`], so a client (or a fuzzer) knows exactly which texts are
//! accepted; a property test holds the pattern and [`TextRule::check`] to each other.

use super::error::FieldError;

/// Rust's whitespace (Unicode `White_Space`, what [`str::trim`] removes) as a
/// character-class body in the common subset of ECMAScript, Python and Rust regexes.
pub const WHITESPACE_CLASS: &str =
    r"\t\n\u000b\u000c\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// What may appear inside trimmed text: anything but a control character (Unicode `Cc`)
/// other than tab, line feed and carriage return.
const INNER: &str = r"[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]";

/// What may start or end trimmed text: neither whitespace nor a control character.
const EDGE: &str =
    r"[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

/// A length and character rule for one text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRule {
    /// The form field (and API property) it is about.
    pub field: &'static str,
    /// How the text is named in messages ("The message").
    pub label: &'static str,
    /// Fewest characters after trimming (0: optional).
    pub min: usize,
    /// Most characters as sent.
    pub max: usize,
    /// The sentence for text shorter than `min` (a default is built when `None`).
    pub too_short: Option<&'static str>,
}

impl TextRule {
    /// A rule with the default messages.
    pub const fn new(field: &'static str, label: &'static str, min: usize, max: usize) -> Self {
        Self {
            field,
            label,
            min,
            max,
            too_short: None,
        }
    }

    /// The same rule with its own sentence for text that is too short or missing.
    pub const fn too_short(self, message: &'static str) -> Self {
        Self {
            too_short: Some(message),
            ..self
        }
    }

    /// Checks `input` and returns it trimmed.
    pub fn check(&self, input: &str) -> Result<String, FieldError> {
        let length = input.chars().count();
        if length > self.max {
            return Err(FieldError::new(
                self.field,
                format!(
                    "{} is {length} characters long; at most {} are accepted.",
                    self.label,
                    thousands(self.max)
                ),
            ));
        }
        let trimmed = input.trim();
        if trimmed.chars().count() < self.min {
            let message = match (self.too_short, self.min) {
                (Some(m), _) => m.to_owned(),
                (None, 1) => format!("{} is required.", self.label),
                (None, n) => format!("{} needs at least {n} characters.", self.label),
            };
            return Err(FieldError::new(self.field, message));
        }
        reject_control_chars(self.field, self.label, trimmed)?;
        Ok(trimmed.to_owned())
    }

    /// A JSON Schema `pattern` (anchored) that accepts exactly the texts whose trimmed
    /// form has at least `min` characters and no forbidden control character; `max` is
    /// the schema's `maxLength`.
    pub fn pattern(&self) -> String {
        let ws = format!("[{WHITESPACE_CLASS}]*");
        let core = match self.min {
            0 => format!("(?:{EDGE}(?:{INNER}*{EDGE})?)?"),
            1 => format!("{EDGE}(?:{INNER}*{EDGE})?"),
            n => format!("{EDGE}{INNER}{{{},}}{EDGE}", n - 2),
        };
        format!("^{ws}{core}{ws}$")
    }
}

/// Rejects text that contains control characters other than line breaks and tabs.
///
/// NUL and the other C0/C1 controls break terminals, logs and some databases, and never
/// belong in what a person types.
pub fn reject_control_chars(field: &str, label: &str, text: &str) -> Result<(), FieldError> {
    match text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Some(c) => Err(FieldError::new(
            field,
            format!(
                "{label} contains an invisible control character (U+{:04X}); remove it and try again.",
                u32::from(c)
            ),
        )),
        None => Ok(()),
    }
}

/// `10000` → `10,000`, for messages.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RULES: [TextRule; 4] = [
        TextRule::new("a", "A", 0, 40),
        TextRule::new("b", "B", 1, 40),
        TextRule::new("c", "C", 2, 40),
        TextRule::new("d", "D", 10, 40),
    ];

    fn schema_accepts(rule: &TextRule, s: &str) -> bool {
        let re = regex::Regex::new(&rule.pattern()).unwrap();
        s.chars().count() <= rule.max && re.is_match(s)
    }

    /// Characters where the edge cases live: whitespace of every kind, controls that
    /// are and are not whitespace, and ordinary letters.
    fn tricky() -> impl Strategy<Value = char> {
        prop_oneof![
            Just(' '),
            Just('\t'),
            Just('\n'),
            Just('\r'),
            Just('\u{0b}'),
            Just('\u{0c}'),
            Just('\u{85}'),
            Just('\u{a0}'),
            Just('\u{2003}'),
            Just('\u{3000}'),
            Just('\u{0}'),
            Just('\u{1b}'),
            Just('\u{7f}'),
            Just('\u{9f}'),
            Just('\u{ad}'),
            Just('\u{feff}'),
            Just('x'),
            Just('é'),
            any::<char>(),
        ]
    }

    proptest! {
        #[test]
        fn the_pattern_and_the_check_agree(chars in proptest::collection::vec(tricky(), 0..45)) {
            let s: String = chars.into_iter().collect();
            for rule in &RULES {
                prop_assert_eq!(rule.check(&s).is_ok(), schema_accepts(rule, &s), "{:?} {:?}", rule, s);
            }
        }
    }

    #[test]
    fn trims_and_counts() {
        let rule = TextRule::new("body", "The message", 1, 10);
        assert_eq!(rule.check("  hi \n").unwrap(), "hi");
        assert_eq!(rule.check("   ").unwrap_err().field, "body");
        assert!(rule.check("a\tb\r\nc").is_ok());
        let err = rule.check("a\0b").unwrap_err();
        assert!(err.message.contains("U+0000"), "{}", err.message);
        // The text as sent counts for the maximum (what a form's maxlength counts).
        assert!(rule.check("0123456789").is_ok());
        assert!(rule.check(" 0123456789").is_err());
        let short = TextRule::new("why", "The reason", 10, 100).too_short("Say why.");
        assert_eq!(short.check("too short").unwrap_err().message, "Say why.");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2000), "2,000");
        assert_eq!(thousands(10000), "10,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
