//! Hostile text: what no field may hold, and how a cell is written to CSV so
//! a spreadsheet never runs it.

use std::borrow::Cow;

/// A single-line field (a name, an email, a search) holds at most this many characters.
pub const LINE_MAX_CHARS: usize = 1_000;
/// A multi-line field (a description, a note, a message) holds at most this many.
pub const MULTILINE_MAX_CHARS: usize = 10_000;

/// Fields where people write several lines: newline and tab are allowed there.
/// Any field of one of these names, at any depth of a JSON body or in a form.
pub const MULTILINE_FIELDS: &[&str] = &[
    "alternatives",
    "description",
    "details",
    "fee_model",
    "message",
    "note",
    "notes",
    "reason",
];

pub fn is_multiline(field: &str) -> bool {
    MULTILINE_FIELDS.contains(&field)
}

/// Characters that reorder how text is shown (right-to-left overrides,
/// embeddings and isolates), used to disguise a name or a link.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks one field's text: no NUL or other control characters (newline,
/// carriage return and tab only where `multiline`), no bidi overrides, and
/// not longer than the field's limit. The error reads after the field's name.
pub fn check(value: &str, multiline: bool) -> Result<(), String> {
    for c in value.chars() {
        let allowed_space = multiline && matches!(c, '\n' | '\r' | '\t');
        if c == '\0' {
            return Err("must not contain a NUL character".into());
        }
        if c.is_control() && !allowed_space {
            return Err(if matches!(c, '\n' | '\r' | '\t') {
                "must be one line, without line breaks or tabs".into()
            } else {
                format!("must not contain control characters (U+{:04X})", c as u32)
            });
        }
        if is_bidi_control(c) {
            return Err(format!(
                "must not contain characters that reverse the text's direction (U+{:04X})",
                c as u32
            ));
        }
    }
    let limit = if multiline {
        MULTILINE_MAX_CHARS
    } else {
        LINE_MAX_CHARS
    };
    if value.chars().count() > limit {
        return Err(format!("must be at most {limit} characters"));
    }
    Ok(())
}

/// A cell as it goes into a CSV file. A cell that begins with `=`, `+`, `-`,
/// `@`, tab or carriage return would be run as a formula by a spreadsheet, so
/// it is written with a leading `'` (OWASP's rule). A plain number, such as
/// `-12.50`, is left as it is.
pub fn csv_cell(value: &str) -> Cow<'_, str> {
    let risky = value
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if risky && !is_plain_number(value) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

fn is_plain_number(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_direction_characters_are_refused() {
        assert!(check("Amina Khan", false).is_ok());
        assert!(check("مرحبا Amina", false).is_ok());
        assert!(check("first line\nsecond\tline", true).is_ok());
        assert!(check("a\0b", true).unwrap_err().contains("NUL"));
        assert!(check("one\ntwo", false).unwrap_err().contains("one line"));
        assert!(check("bell\u{7}", true).unwrap_err().contains("U+0007"));
        assert!(check("evil\u{202E}gpj.exe", false)
            .unwrap_err()
            .contains("U+202E"));
        assert!(check("x\u{2066}y", true).is_err());
        assert!(check(&"x".repeat(LINE_MAX_CHARS + 1), false).is_err());
        assert!(check(&"x".repeat(LINE_MAX_CHARS + 1), true).is_ok());
    }

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        assert_eq!(
            csv_cell("=HYPERLINK(\"http://evil.example/\",\"Broker\")"),
            "'=HYPERLINK(\"http://evil.example/\",\"Broker\")"
        );
        for risky in ["+1+1", "-1+1", "@SUM(A1)", "\tx", "\rx", "-", "=1"] {
            assert!(csv_cell(risky).starts_with('\''), "{risky:?}");
        }
        for kept in ["-12.50", "-3", "18.50", "Moss Side", "", "a=b"] {
            assert_eq!(csv_cell(kept), kept);
        }
    }
}
