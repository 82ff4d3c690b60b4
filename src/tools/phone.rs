//! When two phone numbers are the same number, however they were typed.
//!
//! The rule: keep only the digits; two numbers are the same when their last
//! [`SIGNIFICANT`] (10) digits agree, or — when either has fewer than 10 digits — when the
//! shorter one's digits are the last digits of the longer one. A number needs at least
//! [`MIN_DIGITS`] (6) digits to be searched for.
//!
//! Why 10: it is the length of the national significant number (area code + subscriber)
//! in Argentina, Mexico, Colombia, the US and Canada, and the last 10 digits of Brazil's
//! 11-digit mobiles. What comes before those 10 digits is what people write differently:
//! the country code (`54`), Argentina's mobile `9` after it, the trunk prefix `0` of a
//! national number (`011`), an international `00`/`+`. So `+54 9 11 5555-0101`,
//! `5491155550101`, `+54 11 5555-0101` and `(011) 5555-0101` all end in `1155550101`.
//! Fewer digits (8) would also join the same subscriber number in different cities; more
//! (11+) would miss the national forms. Not covered: Argentina's old local mobile form
//! with `15` after the area code (`011 15 5555-0101`), which shifts the digits.

/// How many trailing digits decide.
pub(super) const SIGNIFICANT: usize = 10;
/// The fewest digits a searched number may have.
pub(super) const MIN_DIGITS: usize = 6;

/// The digits of `text`, in order.
pub(super) fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// The trailing digits that identify the number (at most [`SIGNIFICANT`]).
pub(super) fn key(text: &str) -> String {
    let all = digits(text);
    let skip = all.len().saturating_sub(SIGNIFICANT);
    all[skip..].to_owned()
}

/// Whether `a` and `b` are the same phone number under the rule above.
pub(super) fn same_number(a: &str, b: &str) -> bool {
    let (a, b) = (key(a), key(b));
    if a.len() < MIN_DIGITS || b.len() < MIN_DIGITS {
        return false;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    long.ends_with(&short)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argentine_formats_are_the_same_number() {
        let forms = [
            "+54 9 11 5555-0101",
            "5491155550101",
            "+54 11 5555-0101",
            "(011) 5555-0101",
            "011 5555 0101",
            "11 5555-0101",
            "005491155550101",
            "5555-0101",
        ];
        for a in forms {
            for b in forms {
                assert!(same_number(a, b), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn other_numbers_differ() {
        assert!(!same_number("+54 9 11 5555-0101", "+54 9 11 5555-0102"));
        assert!(!same_number("+54 9 11 5555-0101", "+54 9 351 555-0101"));
        assert!(!same_number("(011) 4444-0303", "+54 9 11 6666-0303"));
        assert!(!same_number("+1 (415) 555-0101", "+54 9 11 5555-0101"));
    }

    #[test]
    fn other_countries() {
        assert!(same_number("+1 (415) 555-2671", "415.555.2671"));
        assert!(same_number("+55 11 91234-5678", "(11) 91234-5678"));
        assert!(same_number("+52 1 55 1234 5678", "55 1234 5678"));
    }

    #[test]
    fn too_few_digits_never_match() {
        assert!(!same_number("12345", "12345"));
        assert!(!same_number("call me", "call me"));
        assert!(same_number("123456", "99123456"));
    }

    #[test]
    fn key_is_the_last_ten_digits() {
        assert_eq!(key("+54 9 11 5555-0101"), "1155550101");
        assert_eq!(key("(011) 5555-0101"), "1155550101");
        assert_eq!(key("5555-0101"), "55550101");
    }
}
