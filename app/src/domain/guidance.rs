//! Choosing the self-service article for a client error (PRODUCT §4, "Guidance for
//! client errors"). Articles live in the database and are edited by agents; this module
//! holds the matching rules and their text encoding in database columns.

use serde::{Deserialize, Serialize};

use super::error::FieldError;

/// Which status codes an article covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeMatch {
    /// Only these 4xx codes.
    Exact(Vec<u16>),
    /// Any 4xx code: the fallback articles.
    AnyClientError,
}

impl CodeMatch {
    /// Parses the database/form text: `401`, `406,415` or `4xx`.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let trimmed = input.trim();
        if trimmed.eq_ignore_ascii_case("4xx") {
            return Ok(Self::AnyClientError);
        }
        let mut codes = Vec::new();
        for part in trimmed.split(',').map(str::trim) {
            let code = part
                .parse::<u16>()
                .ok()
                .filter(|c| (400..=499).contains(c))
                .ok_or_else(|| {
                    FieldError::new(
                        "codes",
                        format!(
                            "“{part}” is not a client error code; list codes between 400 and 499 separated by commas (e.g. 406,415), or write 4xx for any client error."
                        ),
                    )
                })?;
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        Ok(Self::Exact(codes))
    }

    /// The text stored in the database; [`CodeMatch::parse`] reads it back.
    pub fn to_db_string(&self) -> String {
        match self {
            Self::AnyClientError => "4xx".to_owned(),
            Self::Exact(codes) => codes
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    fn covers(&self, code: u16) -> bool {
        match self {
            Self::AnyClientError => (400..=499).contains(&code),
            Self::Exact(codes) => codes.contains(&code),
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

/// When an article applies: the codes it covers and, optionally, words in the
/// response's `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleRule {
    /// The article's slug, e.g. `token-expired`.
    pub slug: String,
    /// The status codes the article covers.
    pub codes: CodeMatch,
    /// Alternatives of words that must all appear in the message; empty = any message.
    pub keywords: Vec<Vec<String>>,
}

impl ArticleRule {
    /// Builds a rule from its database columns, checking the slug and codes.
    pub fn parse(slug: &str, codes: &str, keywords: &str) -> Result<Self, FieldError> {
        let slug = slug.trim();
        let valid_slug = !slug.is_empty()
            && slug.len() <= 64
            && slug.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if !valid_slug {
            return Err(FieldError::new(
                "slug",
                "The slug must be 1–64 lowercase letters or digits in words joined by “-”, e.g. token-expired.",
            ));
        }
        Ok(Self {
            slug: slug.to_owned(),
            codes: CodeMatch::parse(codes)?,
            keywords: parse_keywords(keywords),
        })
    }

    /// How specifically the rule matches (higher wins), or `None` if it does not apply.
    fn specificity(&self, code: u16, message: &str) -> Option<u8> {
        if !self.codes.covers(code) {
            return None;
        }
        let base = match self.codes {
            CodeMatch::Exact(_) => 2,
            CodeMatch::AnyClientError => 0,
        };
        if self.keywords.is_empty() {
            Some(base + 1)
        } else if self
            .keywords
            .iter()
            .any(|words| words.iter().all(|w| contains_word(message, w)))
        {
            Some(base + 2)
        } else {
            None
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

/// Picks the article for a client error: an exact code whose keywords match beats an
/// exact code without keywords, which beats a 4xx fallback whose keywords match, which
/// beats a 4xx fallback without keywords. Ties go to the earlier rule. Returns `None`
/// for codes outside 400–499.
pub fn select_article<'a>(
    rules: &'a [ArticleRule],
    code: u16,
    message: &str,
) -> Option<&'a ArticleRule> {
    if !(400..=499).contains(&code) {
        return None;
    }
    let message = message.to_lowercase();
    let mut best: Option<(u8, &ArticleRule)> = None;
    for rule in rules {
        let Some(score) = rule.specificity(code, &message) else {
            continue;
        };
        if best.is_none_or(|(top, _)| score > top) {
            best = Some((score, rule));
        }
    }
    best.map(|(_, rule)| rule)
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
            CodeMatch::Exact(vec![406, 415])
        );
        assert_eq!(CodeMatch::parse("4XX").unwrap(), CodeMatch::AnyClientError);
        assert_eq!(
            parse_keywords(" Token + Expired || |jwt"),
            vec![vec!["token", "expired"], vec!["jwt"]]
        );
        assert!(parse_keywords("").is_empty());
    }

    #[test]
    fn rejects_bad_rules() {
        for bad in ["", "500", "401,", "abc", "4xx,401"] {
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
