//! Choosing the self-service article for a client error (PRODUCT §4, "Guidance for
//! client errors"). Articles live in the database and are edited by agents; this module
//! holds the matching rules and their text encoding in database columns.

use serde::{Deserialize, Serialize};

use super::{
    error::{quoted, FieldError},
    text::TextRule,
};

/// Which status codes an article covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeMatch {
    /// These 4xx codes and ranges of codes (inclusive), e.g. `401` or `406,415` or
    /// `400-409,422`.
    Listed(Vec<(u16, u16)>),
    /// Any 4xx code: the fallback articles.
    AnyClientError,
}

impl CodeMatch {
    /// Parses the database/form text: `401`, `406,415`, `400-409,422` or `4xx`.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let trimmed = input.trim();
        if trimmed.eq_ignore_ascii_case("4xx") {
            return Ok(Self::AnyClientError);
        }
        let code = |part: &str| {
            part.trim()
                .parse::<u16>()
                .ok()
                .filter(|c| (400..=499).contains(c))
        };
        let mut listed: Vec<(u16, u16)> = Vec::new();
        for part in trimmed.split(',').map(str::trim) {
            let range = match part.split_once('-') {
                Some((low, high)) => code(low).zip(code(high)).filter(|(l, h)| l <= h),
                None => code(part).map(|c| (c, c)),
            }
            .ok_or_else(|| {
                FieldError::new(
                    "codes",
                    format!(
                        "{} is not a client error code or range; list codes between 400 and 499 separated by commas, ranges as 400-409 (e.g. 406,415 or 400-409,422), or write 4xx for any client error.",
                        quoted(part)
                    ),
                )
            })?;
            if !listed.contains(&range) {
                listed.push(range);
            }
        }
        Ok(Self::Listed(listed))
    }

    /// The text stored in the database; [`CodeMatch::parse`] reads it back.
    pub fn to_db_string(&self) -> String {
        match self {
            Self::AnyClientError => "4xx".to_owned(),
            Self::Listed(ranges) => ranges
                .iter()
                .map(|&(low, high)| {
                    if low == high {
                        low.to_string()
                    } else {
                        format!("{low}-{high}")
                    }
                })
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    fn covers(&self, code: u16) -> bool {
        match self {
            Self::AnyClientError => (400..=499).contains(&code),
            Self::Listed(ranges) => ranges
                .iter()
                .any(|&(low, high)| (low..=high).contains(&code)),
        }
    }
}

/// How an article's message pattern is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PatternKind {
    /// Case-insensitive words: alternatives separated by `|`, words that must all
    /// appear joined by `+` (see [`parse_keywords`]).
    Words,
    /// A regular expression, matched case-insensitively anywhere in the message.
    Regex,
}

impl PatternKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Words => "words",
            Self::Regex => "regex",
        }
    }

    /// Reads a stored or submitted name.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match s.trim() {
            "words" | "" => Ok(Self::Words),
            "regex" => Ok(Self::Regex),
            other => Err(FieldError::new(
                "pattern_kind",
                format!(
                    "{} is not a kind of pattern; choose words or regex.",
                    quoted(other)
                ),
            )),
        }
    }
}

/// The longest message pattern accepted, in characters.
pub const MAX_PATTERN_CHARS: usize = 500;

/// What an article asks of the response's `message`.
#[derive(Debug, Clone)]
pub enum MessagePattern {
    /// Whatever the message says.
    Any,
    /// Alternatives of words that must all appear (lower case, at word starts).
    Words(Vec<Vec<String>>),
    /// A case-insensitive regular expression found anywhere in the message.
    Regex(regex::Regex),
}

impl PartialEq for MessagePattern {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Any, Self::Any) => true,
            (Self::Words(a), Self::Words(b)) => a == b,
            (Self::Regex(a), Self::Regex(b)) => a.as_str() == b.as_str(),
            _ => false,
        }
    }
}

impl MessagePattern {
    /// Parses a pattern of `kind`, checking a regular expression compiles (within a
    /// size limit, so a pattern cannot make matching slow). An empty text is [`Any`].
    ///
    /// [`Any`]: MessagePattern::Any
    pub fn parse(kind: PatternKind, text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        if text.chars().count() > MAX_PATTERN_CHARS {
            return Err(FieldError::new(
                "pattern",
                format!("Keep the message pattern to {MAX_PATTERN_CHARS} characters."),
            ));
        }
        if text.is_empty() {
            return Ok(Self::Any);
        }
        match kind {
            PatternKind::Words => {
                let words = parse_keywords(text);
                Ok(if words.is_empty() {
                    Self::Any
                } else {
                    Self::Words(words)
                })
            }
            PatternKind::Regex => regex::RegexBuilder::new(text)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
                .map(Self::Regex)
                .map_err(|e| {
                    let why = match &e {
                        regex::Error::Syntax(s) => s
                            .lines()
                            .rev()
                            .find(|l| l.starts_with("error:"))
                            .map_or_else(
                                || s.clone(),
                                |l| l.trim_start_matches("error:").trim().to_owned(),
                            ),
                        regex::Error::CompiledTooBig(_) => "it is too large".to_owned(),
                        _ => e.to_string(),
                    };
                    FieldError::new(
                        "pattern",
                        format!("{} is not a valid regular expression: {why}.", quoted(text)),
                    )
                }),
        }
    }

    /// The pattern as stored, for [`MessagePattern::parse`] with its kind.
    pub fn to_db_string(&self) -> String {
        match self {
            Self::Any => String::new(),
            Self::Words(words) => keywords_to_db_string(words),
            Self::Regex(re) => re.as_str().to_owned(),
        }
    }

    /// The kind it is stored as.
    pub fn kind(&self) -> PatternKind {
        match self {
            Self::Regex(_) => PatternKind::Regex,
            Self::Any | Self::Words(_) => PatternKind::Words,
        }
    }

    /// Whether the message (given as is and lower-cased) matches; `None` for [`Any`].
    ///
    /// [`Any`]: MessagePattern::Any
    fn matches(&self, message: &str, lower: &str) -> Option<bool> {
        match self {
            Self::Any => None,
            Self::Words(words) => Some(
                words
                    .iter()
                    .any(|all| all.iter().all(|w| contains_word(lower, w))),
            ),
            Self::Regex(re) => Some(re.is_match(message)),
        }
    }
}

/// Parses message keywords from their database text: alternatives separated by `|`,
/// words that must all appear separated by `+`, e.g. `token+expired|jwt+expired`.
///
/// Words are lower-cased; empty words and alternatives are dropped, so an empty text
/// means "whatever the message says".
pub fn parse_keywords(input: &str) -> Vec<Vec<String>> {
    input
        .split('|')
        .map(|alternative| {
            alternative
                .split('+')
                .map(|word| word.trim().to_lowercase())
                .filter(|word| !word.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|words| !words.is_empty())
        .collect()
}

/// The database text for keywords; [`parse_keywords`] reads it back.
pub fn keywords_to_db_string(keywords: &[Vec<String>]) -> String {
    keywords
        .iter()
        .map(|words| words.join("+"))
        .collect::<Vec<_>>()
        .join("|")
}

/// When an article applies: the codes it covers and, optionally, a pattern the
/// response's `message` must match.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleRule {
    /// The article's slug, e.g. `token-expired`.
    pub slug: String,
    /// The status codes the article covers.
    pub codes: CodeMatch,
    /// What the message must match.
    pub pattern: MessagePattern,
}

/// Checks an article's slug: 1–64 lowercase letters or digits in words joined by `-`.
pub fn check_slug(slug: &str) -> Result<&str, FieldError> {
    let slug = slug.trim();
    let valid = !slug.is_empty()
        && slug.len() <= 64
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if valid {
        Ok(slug)
    } else {
        Err(FieldError::new(
            "slug",
            "The slug must be 1–64 lowercase letters or digits in words joined by “-”, e.g. token-expired.",
        ))
    }
}

impl ArticleRule {
    /// Builds a rule of word patterns from its database columns, checking them.
    pub fn parse(slug: &str, codes: &str, keywords: &str) -> Result<Self, FieldError> {
        Self::parse_with(slug, codes, PatternKind::Words, keywords)
    }

    /// Builds a rule from its slug, codes and a pattern of `kind`, checking them.
    pub fn parse_with(
        slug: &str,
        codes: &str,
        kind: PatternKind,
        pattern: &str,
    ) -> Result<Self, FieldError> {
        Ok(Self {
            slug: check_slug(slug)?.to_owned(),
            codes: CodeMatch::parse(codes)?,
            pattern: MessagePattern::parse(kind, pattern)?,
        })
    }

    /// How specifically the rule matches (higher wins), or `None` if it does not apply.
    fn specificity(&self, code: u16, message: &str, lower: &str) -> Option<u8> {
        if !self.codes.covers(code) {
            return None;
        }
        let base = match self.codes {
            CodeMatch::Listed(_) => 2,
            CodeMatch::AnyClientError => 0,
        };
        match self.pattern.matches(message, lower) {
            None => Some(base + 1),
            Some(true) => Some(base + 2),
            Some(false) => None,
        }
    }
}

/// Whether `word` (lower case) starts a word in `message_lower`: "expir" matches
/// "expired" and "access_token expires", but "pire" does not match "expired".
fn contains_word(message_lower: &str, word: &str) -> bool {
    message_lower.match_indices(word).any(|(i, _)| {
        message_lower[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Picks the article for a client error: listed codes whose pattern matches beat
/// listed codes without a pattern, which beat a 4xx fallback whose pattern matches,
/// which beats a 4xx fallback without a pattern. Ties go to the earlier rule. Returns `None`
/// for codes outside 400–499.
pub fn select_article<'a>(
    rules: &'a [ArticleRule],
    code: u16,
    message: &str,
) -> Option<&'a ArticleRule> {
    if !(400..=499).contains(&code) {
        return None;
    }
    let lower = message.to_lowercase();
    let mut best: Option<(u8, &ArticleRule)> = None;
    for rule in rules {
        let Some(score) = rule.specificity(code, message, &lower) else {
            continue;
        };
        if best.is_none_or(|(top, _)| score > top) {
            best = Some((score, rule));
        }
    }
    best.map(|(_, rule)| rule)
}

/// An article as an editor submits it: every field a string, as the form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArticleDraft {
    /// The slug (only read when the article is created; it never changes).
    pub slug: String,
    /// Headline.
    pub title: String,
    /// What the error means.
    pub summary: String,
    /// What to check, one item per line.
    pub checks: String,
    /// How to call again.
    pub call_again: String,
    /// Whether retrying the same request (after waiting) is right, as for 429: `yes`
    /// or `no`.
    pub retry_same_request: String,
    /// Status codes: `401`, `406,415`, `400-409` or `4xx`.
    pub codes: String,
    /// `words` or `regex`.
    pub pattern_kind: String,
    /// The message pattern (empty: any message).
    pub pattern: String,
}

/// A checked article: its texts trimmed, its rule parsed.
#[derive(Debug, Clone)]
pub struct CheckedArticle {
    /// The texts as they will be stored (codes and pattern in their stored spelling,
    /// `retry_same_request` as `yes` or `no`).
    pub draft: ArticleDraft,
    /// Whether retrying the same request is right.
    pub retry_same_request: bool,
    /// The matching rule.
    pub rule: ArticleRule,
}

/// `yes`/`no` for a flag, as forms and [`ArticleDraft`] write it.
pub fn yes_no(flag: bool) -> String {
    if flag { "yes" } else { "no" }.to_owned()
}

const TITLE: TextRule = TextRule::new("title", "The title", 1, 200);
const SUMMARY: TextRule = TextRule::new("summary", "The summary", 1, 2000);
const CHECKS: TextRule = TextRule::new("checks", "What to check", 1, 4000);
const CALL_AGAIN: TextRule = TextRule::new("call_again", "How to call again", 1, 2000);
/// The most items in “what to check”.
pub const MAX_CHECKS: usize = 20;

/// Checks an article: every text within its limits (the title on one line, at most
/// [`MAX_CHECKS`] checks), the codes and the message pattern readable. The first
/// problem is returned, naming its field.
pub fn check_article(draft: &ArticleDraft) -> Result<CheckedArticle, FieldError> {
    let slug = check_slug(&draft.slug)?.to_owned();
    let title = TITLE.check(&draft.title)?;
    if title.contains(['\n', '\r', '\t']) {
        return Err(FieldError::new("title", "Keep the title on one line."));
    }
    let summary = SUMMARY.check(&draft.summary)?;
    let checks_text = CHECKS.check(&draft.checks)?;
    let checks: Vec<&str> = checks_text
        .lines()
        .map(|l| l.trim().trim_start_matches(['-', '*', '•']).trim())
        .filter(|l| !l.is_empty())
        .collect();
    if checks.is_empty() || checks.len() > MAX_CHECKS {
        return Err(FieldError::new(
            "checks",
            format!("List between 1 and {MAX_CHECKS} things to check, one per line."),
        ));
    }
    let call_again = CALL_AGAIN.check(&draft.call_again)?;
    let retry_same_request = match draft.retry_same_request.trim() {
        "yes" => true,
        "no" => false,
        _ => {
            return Err(FieldError::new(
                "retry_same_request",
                "Say whether retrying the same request is right: yes or no.",
            ))
        }
    };
    let kind = PatternKind::parse(&draft.pattern_kind)?;
    let rule = ArticleRule::parse_with(&slug, &draft.codes, kind, &draft.pattern)?;
    Ok(CheckedArticle {
        draft: ArticleDraft {
            slug,
            title,
            summary,
            checks: checks.join("\n"),
            call_again,
            retry_same_request: yes_no(retry_same_request),
            codes: rule.codes.to_db_string(),
            pattern_kind: rule.pattern.kind().as_str().to_owned(),
            pattern: rule.pattern.to_db_string(),
        },
        retry_same_request,
        rule,
    })
}

/// The catalogue's starting rules as `(slug, codes, keywords)` database texts; the
/// seed migration inserts the same rows. Keywords match at word starts, so `expir`
/// covers "expired", "expires" and "expiry". When a message matches two rules of the
/// same specificity ("missing or expired token"), the earlier one wins.
pub const SEED_RULES: &[(&str, &str, &str)] = &[
    ("bad-request", "400", ""),
    ("unauthorized", "401", ""),
    ("token-expired", "401", "expir"),
    (
        "token-missing",
        "401",
        "missing+token|token+required|token+not+provided|missing+authorization|authorization+header|missing+api+key|api+key+required|unauthenticated",
    ),
    ("forbidden", "403", ""),
    ("scope-missing", "403", "scope|permission|privilege"),
    ("not-found", "404", ""),
    ("method-not-allowed", "405", ""),
    ("not-acceptable", "406,415", ""),
    ("conflict", "409", ""),
    ("payload-too-large", "413", ""),
    ("unprocessable", "422", ""),
    ("rate-limited", "429", ""),
    ("client-error", "4xx", ""),
];

/// [`SEED_RULES`] parsed into rules.
pub fn seed_rules() -> Vec<ArticleRule> {
    SEED_RULES
        .iter()
        .map(|(slug, codes, keywords)| {
            ArticleRule::parse(slug, codes, keywords).expect("seed rules are valid")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(code: u16, message: &str) -> Option<String> {
        select_article(&seed_rules(), code, message).map(|r| r.slug.clone())
    }

    #[test]
    fn seed_rules_choose_the_right_article() {
        assert_eq!(
            slug(401, "Token has expired").as_deref(),
            Some("token-expired")
        );
        assert_eq!(
            slug(401, "JWT expired at 2026-01-01").as_deref(),
            Some("token-expired")
        );
        assert_eq!(
            slug(401, "invalid signature").as_deref(),
            Some("unauthorized")
        );
        assert_eq!(
            slug(401, "Missing Authorization header").as_deref(),
            Some("token-missing")
        );
        assert_eq!(slug(401, "").as_deref(), Some("unauthorized"));
        assert_eq!(
            slug(401, "token not valid").as_deref(),
            Some("unauthorized")
        );
        assert_eq!(
            slug(401, "Missing or expired token").as_deref(),
            Some("token-expired")
        );
        assert_eq!(
            slug(403, "Insufficient scope: orders:write").as_deref(),
            Some("scope-missing")
        );
        assert_eq!(slug(403, "Account suspended").as_deref(), Some("forbidden"));
        assert_eq!(
            slug(400, "amount is required").as_deref(),
            Some("bad-request")
        );
        assert_eq!(slug(418, "I'm a teapot").as_deref(), Some("client-error"));
        assert_eq!(
            slug(415, "Unsupported Media Type").as_deref(),
            Some("not-acceptable")
        );
        assert_eq!(slug(406, "").as_deref(), Some("not-acceptable"));
        assert_eq!(
            slug(429, "Too many requests").as_deref(),
            Some("rate-limited")
        );
        assert_eq!(slug(503, "Service unavailable"), None);
        assert_eq!(slug(399, ""), None);
    }

    #[test]
    fn specificity_order_beats_slice_order() {
        let rules = vec![
            ArticleRule::parse("any-kw", "4xx", "token").unwrap(),
            ArticleRule::parse("any", "4xx", "").unwrap(),
            ArticleRule::parse("exact", "401", "").unwrap(),
            ArticleRule::parse("exact-kw", "401", "token").unwrap(),
        ];
        let pick = |code, msg| select_article(&rules, code, msg).unwrap().slug.as_str();
        assert_eq!(pick(401, "bad token"), "exact-kw");
        assert_eq!(pick(401, "bad signature"), "exact");
        assert_eq!(pick(404, "token"), "any-kw");
        assert_eq!(pick(404, "nothing"), "any");
        let twins = vec![
            ArticleRule::parse("first", "404", "").unwrap(),
            ArticleRule::parse("second", "404", "").unwrap(),
        ];
        assert_eq!(select_article(&twins, 404, "").unwrap().slug, "first");
        assert!(select_article(&[], 404, "").is_none());
    }

    #[test]
    fn keywords_match_at_word_starts() {
        assert!(contains_word("access_token expired", "token"));
        assert!(contains_word("the token expires soon", "expir"));
        assert!(!contains_word("expired", "pired"));
        assert!(contains_word("scopes: none", "scope"));
        let rules = vec![ArticleRule::parse("a", "401", "token+expired").unwrap()];
        assert!(select_article(&rules, 401, "EXPIRED TOKEN").is_some());
        assert!(select_article(&rules, 401, "token revoked").is_none());
    }

    #[test]
    fn db_texts_round_trip() {
        for (_, codes, keywords) in SEED_RULES {
            assert_eq!(CodeMatch::parse(codes).unwrap().to_db_string(), *codes);
            assert_eq!(keywords_to_db_string(&parse_keywords(keywords)), *keywords);
        }
        assert_eq!(
            CodeMatch::parse(" 406 , 415,406").unwrap(),
            CodeMatch::Listed(vec![(406, 406), (415, 415)])
        );
        assert_eq!(CodeMatch::parse("4XX").unwrap(), CodeMatch::AnyClientError);
        assert_eq!(
            parse_keywords(" Token + Expired || |jwt"),
            vec![vec!["token", "expired"], vec!["jwt"]]
        );
        assert!(parse_keywords("").is_empty());
    }

    #[test]
    fn code_ranges_and_regular_expressions() {
        assert_eq!(
            CodeMatch::parse("400-409, 422").unwrap().to_db_string(),
            "400-409,422"
        );
        let rules = vec![
            ArticleRule::parse_with("quota", "400-409,429", PatternKind::Regex, r"quota\s+\w+ed")
                .unwrap(),
            ArticleRule::parse("range", "400-409", "").unwrap(),
        ];
        let pick = |code, msg| select_article(&rules, code, msg).map(|r| r.slug.as_str());
        assert_eq!(pick(429, "Daily QUOTA   exceeded"), Some("quota"));
        assert_eq!(pick(403, "no quota left"), Some("range"));
        assert_eq!(pick(405, "anything"), Some("range"));
        assert_eq!(pick(410, "quota exceeded"), None);
        let err = MessagePattern::parse(PatternKind::Regex, "token(").unwrap_err();
        assert_eq!(err.field, "pattern");
        assert!(
            err.message.contains("not a valid regular expression"),
            "{}",
            err.message
        );
        assert!(err.message.contains("unclosed group"), "{}", err.message);
        assert_eq!(
            MessagePattern::parse(PatternKind::Regex, "  ").unwrap(),
            MessagePattern::Any
        );
        let long = "a".repeat(MAX_PATTERN_CHARS + 1);
        assert_eq!(
            MessagePattern::parse(PatternKind::Words, &long)
                .unwrap_err()
                .field,
            "pattern"
        );
        assert_eq!(
            PatternKind::parse("regexp").unwrap_err().field,
            "pattern_kind"
        );
    }

    fn draft() -> ArticleDraft {
        ArticleDraft {
            slug: "quota-exceeded".into(),
            title: " Daily quota exceeded ".into(),
            summary: "You used today's requests.".into(),
            checks: "- Look at X-Quota-Remaining\n\n* Spread calls over the day\n".into(),
            call_again: "Tomorrow, after 00:00 UTC.".into(),
            retry_same_request: "yes".into(),
            codes: "429, 400-403".into(),
            pattern_kind: "regex".into(),
            pattern: r"quota\s+exceeded".into(),
        }
    }

    #[test]
    fn articles_are_checked_field_by_field() {
        let ok = check_article(&draft()).unwrap();
        assert_eq!(ok.draft.title, "Daily quota exceeded");
        assert_eq!(
            ok.draft.checks,
            "Look at X-Quota-Remaining\nSpread calls over the day"
        );
        assert_eq!(ok.draft.codes, "429,400-403");
        assert_eq!(ok.draft.pattern_kind, "regex");
        assert_eq!(ok.rule.slug, "quota-exceeded");
        let field = |f: fn(&mut ArticleDraft)| {
            let mut d = draft();
            f(&mut d);
            check_article(&d).unwrap_err().field
        };
        assert_eq!(field(|d| d.title = "  ".into()), "title");
        assert_eq!(field(|d| d.title = "two\nlines".into()), "title");
        assert_eq!(field(|d| d.summary = String::new()), "summary");
        assert_eq!(field(|d| d.checks = "-\n*".into()), "checks");
        assert_eq!(field(|d| d.checks = "a\n".repeat(MAX_CHECKS + 1)), "checks");
        assert_eq!(field(|d| d.call_again = "x".repeat(2001)), "call_again");
        assert_eq!(field(|d| d.codes = "500".into()), "codes");
        assert_eq!(field(|d| d.pattern = "quota[".into()), "pattern");
        assert_eq!(field(|d| d.pattern_kind = "glob".into()), "pattern_kind");
        assert_eq!(field(|d| d.slug = "Quota".into()), "slug");
        assert_eq!(
            field(|d| d.retry_same_request = "maybe".into()),
            "retry_same_request"
        );
        assert!(ok.retry_same_request);
    }

    #[test]
    fn rejects_bad_rules() {
        for bad in [
            "", "500", "401,", "abc", "4xx,401", "409-400", "400-500", "400-",
        ] {
            assert_eq!(CodeMatch::parse(bad).unwrap_err().field, "codes", "{bad}");
        }
        for bad in ["", "Token", "token--expired", "-a", "a b"] {
            assert_eq!(
                ArticleRule::parse(bad, "401", "").unwrap_err().field,
                "slug",
                "{bad}"
            );
        }
    }
}
