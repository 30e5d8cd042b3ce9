//! The guidance editor as the pages see it (PRODUCT §4: agents edit the articles).

use serde::{Deserialize, Serialize};

/// An article in the editor's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleSummary {
    /// Stable identifier.
    pub slug: String,
    /// Headline.
    pub title: String,
    /// Status codes it covers: `401`, `400-409,422` or `4xx`.
    pub codes: String,
    /// `words` or `regex`.
    pub pattern_kind: String,
    /// The message pattern (empty: any message).
    pub pattern: String,
    /// Its current version.
    pub version: i64,
    /// Retired articles match nothing.
    pub retired: bool,
    /// Who saved the current version ("installation" for the starting catalogue).
    pub by: String,
    /// When, in the viewer's timezone (empty for the installation's catalogue).
    pub updated_local: String,
}

/// One line of a difference between two versions of a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    /// `+` added, `-` removed, ` ` unchanged.
    pub tag: char,
    /// The line.
    pub text: String,
}

/// What one field became in a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field's label ("Title", "What to check").
    pub label: String,
    /// The line-by-line difference from the version before.
    pub lines: Vec<DiffLine>,
}

/// One saved version of an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleVersion {
    /// Its number, from 1.
    pub version: i64,
    /// Who saved it.
    pub by: String,
    /// When, in the viewer's timezone (empty for the installation's catalogue).
    pub at_local: String,
    /// What changed from the version before (empty for version 1).
    pub changes: Vec<FieldChange>,
}

/// An article in the editor: its current texts and every version, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleDetail {
    /// Stable identifier.
    pub slug: String,
    /// Headline.
    pub title: String,
    /// What the error means.
    pub summary: String,
    /// What to check, one per line.
    pub checks: String,
    /// How to call again.
    pub call_again: String,
    /// Whether retrying the same request (after waiting) is right.
    pub retry_same_request: bool,
    /// Status codes.
    pub codes: String,
    /// `words` or `regex`.
    pub pattern_kind: String,
    /// The message pattern.
    pub pattern: String,
    /// The current version.
    pub version: i64,
    /// Whether it is retired.
    pub retired: bool,
    /// Every version, newest first.
    pub versions: Vec<ArticleVersion>,
    /// What was typed when a save without JavaScript was refused (field → value).
    pub kept: std::collections::HashMap<String, String>,
}

/// Which article a sample client error would be shown, as the intake would choose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuidancePreview {
    /// The article's slug.
    pub slug: String,
    /// Its headline.
    pub title: String,
    /// Its current version.
    pub version: i64,
    /// The codes it covers.
    pub codes: String,
    /// Its message pattern ("" for any message).
    pub pattern: String,
}
