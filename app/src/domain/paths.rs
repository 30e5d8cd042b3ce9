//! Which redirect targets are paths on this site.

/// Whether `target` is a path on this site and nothing else: it starts with exactly one
/// `/`, and has no backslash, no whitespace and no control characters (browsers drop a
/// tab or newline and would read `/\t/evil.example` as `//evil.example`; a CR or LF
/// would split a header), hence no scheme and no host.
pub fn is_local_path(target: &str) -> bool {
    target.starts_with('/')
        && !target.starts_with("//")
        && !target
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_local_paths_are_local() {
        for ok in [
            "/",
            "/reports/3",
            "/queue?status=open",
            "/a/b#c",
            "/reports/new?x=%2F%2F",
        ] {
            assert!(is_local_path(ok), "{ok}");
        }
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil",
            "\\/evil",
            "https://evil",
            "http:/evil",
            "/\r\nSet-Cookie:x",
            "/x\u{0}y",
            "evil",
            "",
            " /x",
            "/ /x",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }
}
