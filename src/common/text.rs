//! Small text helpers used across layers.

/// The text a person reads on an HTML page: tags dropped, entities
/// decoded, whitespace collapsed.
pub fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = html_escape::decode_html_entities(&out);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `alice` → `Alice`: the first character in upper case, the rest as is.
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Why a file operation failed, in words: `no such file or directory`
/// rather than `No such file or directory (os error 2)`.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "no such file or directory".to_string(),
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        ErrorKind::IsADirectory => "it is a directory, not a file".to_string(),
        ErrorKind::NotADirectory => "a part of the path is a file, not a directory".to_string(),
        ErrorKind::AlreadyExists => "it already exists".to_string(),
        _ => {
            let text = e.to_string();
            let text = match text.rfind(" (os error ") {
                Some(at) if text.ends_with(')') => text[..at].to_string(),
                _ => text,
            };
            let mut c = text.chars();
            c.next()
                .map(|f| f.to_lowercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{capitalize, io_reason};

    #[test]
    fn file_errors_read_as_words_without_the_os_error_number() {
        let missing = std::fs::read("/no/such/dir/x.feature").unwrap_err();
        assert_eq!(io_reason(&missing), "no such file or directory");
        let other = std::io::Error::from_raw_os_error(28);
        assert_eq!(io_reason(&other), "no space left on device");
    }

    #[test]
    fn only_the_first_character_changes() {
        assert_eq!(capitalize("alice"), "Alice");
        assert_eq!(capitalize("o'brien-x"), "O'brien-x");
        assert_eq!(capitalize(""), "");
    }
}
