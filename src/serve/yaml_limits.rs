//! Bounds on a seed file, checked in one linear pass over its text before
//! the YAML parser sees it: the parser expands aliases by copying (500
//! aliases of a 1 MiB string made 1.5 GiB) and its cost grows with the
//! square of the nesting depth.
//!
//! - nesting (flow brackets and block indentation levels together) at most
//!   [`MAX_DEPTH`];
//! - at most [`MAX_ALIASES`] aliases (`*name`) and as many anchors;
//! - the text aliases would repeat, counted generously (an anchored node is
//!   taken to run to the next line indented no deeper than its own, aliases
//!   inside it counted as expanded), at most [`MAX_ALIAS_BYTES`].
//!
//! The scan knows just enough YAML to skip quoted strings and comments; when
//! in doubt it counts more, never less.

use std::collections::HashMap;

/// Deepest nesting a seed may use.
pub const MAX_DEPTH: usize = 64;
/// Most aliases a seed may use.
pub const MAX_ALIASES: usize = 100;
/// Most text all aliases together may repeat (1 MiB).
pub const MAX_ALIAS_BYTES: usize = 1 << 20;

/// A seed over a bound: where, and which bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeded {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What was exceeded, for the user.
    pub message: String,
}

struct Anchor {
    start: usize,
    end: usize,
}

/// Checks `text` against the bounds above.
pub fn check(text: &str) -> Result<(), Exceeded> {
    let bytes = text.as_bytes();
    let at = |pos: usize, message: String| {
        let before = &text[..pos.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        Exceeded {
            line,
            column,
            message,
        }
    };
    // Line starts and indentation (of lines with content), for extents and block depth.
    let mut line_starts = vec![0usize];
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' {
            line_starts.push(i + 1);
        }
    }
    let indent_of = |line: usize| -> Option<usize> {
        let start = line_starts[line];
        let end = line_starts.get(line + 1).copied().unwrap_or(bytes.len());
        let l = &bytes[start..end];
        let n = l.iter().take_while(|b| **b == b' ').count();
        match l.get(n) {
            None | Some(b'\n' | b'\r' | b'#') => None,
            // A block sequence entry nests its content one level deeper.
            _ => Some(n),
        }
    };

    // Block depth: a stack of indentations, one pass.
    let mut stack: Vec<usize> = Vec::new();
    for (line, start) in line_starts.iter().enumerate() {
        let Some(indent) = indent_of(line) else {
            continue;
        };
        while stack.last().is_some_and(|top| *top > indent) {
            stack.pop();
        }
        if stack.last() != Some(&indent) {
            stack.push(indent);
        }
        if stack.len() > MAX_DEPTH {
            return Err(at(
                start + indent,
                format!("the seed nests deeper than {MAX_DEPTH} levels"),
            ));
        }
    }

    // Tokens: flow depth, anchors and aliases, outside quotes and comments.
    let mut anchors: HashMap<&str, Anchor> = HashMap::new();
    let mut aliases: Vec<(usize, &str)> = Vec::new();
    let mut flow = 0usize;
    let mut i = 0;
    let mut line = 0usize;
    let token_start = |i: usize| {
        i == 0
            || matches!(
                bytes[i - 1],
                b' ' | b'\t' | b'\n' | b'[' | b'{' | b',' | b':' | b'-' | b'?'
            )
    };
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'#' if token_start(i) => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if token_start(i) => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    if i < bytes.len() && bytes[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'\'' if token_start(i) => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == b'\'' {
                        if bytes.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    if bytes[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'[' | b'{' => {
                flow += 1;
                if flow > MAX_DEPTH {
                    return Err(at(
                        i,
                        format!("the seed nests deeper than {MAX_DEPTH} levels"),
                    ));
                }
                i += 1;
            }
            b']' | b'}' => {
                flow = flow.saturating_sub(1);
                i += 1;
            }
            b'&' | b'*' if token_start(i) => {
                let name_start = i + 1;
                let mut j = name_start;
                while j < bytes.len()
                    && !matches!(
                        bytes[j],
                        b' ' | b'\t' | b'\n' | b'\r' | b',' | b'[' | b']' | b'{' | b'}'
                    )
                {
                    j += 1;
                }
                let name = &text[name_start..j];
                if b == b'&' {
                    if anchors.len() >= MAX_ALIASES {
                        return Err(at(
                            i,
                            format!("the seed defines more than {MAX_ALIASES} anchors"),
                        ));
                    }
                    // The node runs to the next line indented no deeper than this one.
                    let own = indent_of(line).unwrap_or(0);
                    let mut next = line + 1;
                    while next < line_starts.len() && indent_of(next).is_none_or(|n| n > own) {
                        next += 1;
                    }
                    let end = line_starts.get(next).copied().unwrap_or(bytes.len());
                    anchors.insert(name, Anchor { start: i, end });
                } else {
                    aliases.push((i, name));
                    if aliases.len() > MAX_ALIASES {
                        return Err(at(
                            i,
                            format!("the seed uses more than {MAX_ALIASES} aliases"),
                        ));
                    }
                }
                i = j;
            }
            _ => i += 1,
        }
    }

    // What each alias repeats: its anchor's text plus what the aliases
    // inside that text repeat (anchors come before their aliases).
    let mut cost: Vec<usize> = Vec::with_capacity(aliases.len());
    let mut total = 0usize;
    for (k, (pos, name)) in aliases.iter().enumerate() {
        let c = match anchors.get(name) {
            Some(a) => {
                let inner: usize = aliases[..k]
                    .iter()
                    .zip(&cost)
                    .filter(|((p, _), _)| *p > a.start && *p < a.end)
                    .map(|(_, c)| *c)
                    .sum();
                (a.end - a.start).saturating_add(inner)
            }
            None => 0,
        };
        cost.push(c);
        total = total.saturating_add(c);
        if total > MAX_ALIAS_BYTES {
            return Err(at(
                *pos,
                format!(
                    "the seed's aliases repeat more than 1 MiB of text (at most {MAX_ALIASES} aliases, repeating at most {MAX_ALIAS_BYTES} bytes in all): write the values out, or repeat smaller ones"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_seeds_pass() {
        let seed = "environment: sandbox\nusers:\n  - email: a@example.com # the first\n    first_name: \"A [x\"\ndefaults: &d {enabled: true}\nwebhook_endpoints:\n  - url: https://x.example/h\n    <<: *d\n";
        assert_eq!(check(seed), Ok(()));
    }

    #[test]
    fn deep_brackets_are_refused_early_with_a_position() {
        let text = format!("users: {}", "[".repeat(100_000));
        let e = check(&text).expect_err("too deep");
        assert_eq!(e.line, 1);
        assert!(e.message.contains("64 levels"), "{}", e.message);
    }

    #[test]
    fn deep_blocks_are_refused() {
        let mut text = String::new();
        for d in 0..100 {
            text.push_str(&format!("{}k{d}:\n", " ".repeat(d * 2)));
        }
        assert!(check(&text).is_err());
    }

    #[test]
    fn many_aliases_of_a_big_string_are_refused() {
        let big = "x".repeat(1 << 20);
        let mut text = format!("a: &big \"{big}\"\nlist:\n");
        for _ in 0..50 {
            text.push_str("  - *big\n");
        }
        let e = check(&text).expect_err("alias bomb");
        assert!(e.message.contains("1 MiB"), "{}", e.message);
        assert_eq!(e.line, 3, "the first alias already repeats 1 MiB");
        text.push_str(&"  - *big\n".repeat(500));
        assert!(check(&text).is_err());
    }

    #[test]
    fn nested_alias_doubling_is_counted_as_expanded() {
        let mut text = String::from("l0: &l0 [\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]\n");
        for k in 1..40 {
            text.push_str(&format!("l{k}: &l{k} [*l{p}, *l{p}]\n", p = k - 1));
        }
        assert!(check(&text).is_err());
    }

    #[test]
    fn the_scan_is_linear_on_a_large_flat_file() {
        let mut text = String::from("users:\n");
        for i in 0..200_000 {
            text.push_str(&format!("  - email: user{i}@example.com\n"));
        }
        assert_eq!(check(&text), Ok(()));
    }
}
