//! The one rule for matching a name someone typed against the names Kommo holds (tags,
//! custom-field names and codes, option values, e-mails), in every script.
//!
//! Two names are **the same** when they are equal after ignoring surrounding whitespace,
//! Unicode canonical equivalence (a precomposed "é" equals "e" + combining acute) and case
//! by full Unicode case folding: "ТЕСТ" = "тест", "PREÇO" = "Preço", "STRASSE" = "Straße"
//! = "STRAẞE", "ΟΔΟΣ" = "οδος" (final sigma). This is Unicode's canonical caseless match.
//!
//! **Accents are ignored only as a fallback, and only when it is unambiguous:** when no
//! candidate is the same name, a candidate that differs only in accents and other
//! combining marks ("preco" for "Preço", "aniversario" for "Aniversário", "ano" for "Año")
//! is taken if it is the only such candidate. Two or more candidates that match equally
//! well (two fields both named "utm_source", or "preco" against "Preço" and "Précô") are
//! reported as ambiguous with every candidate, never guessed. A candidate that is the same
//! name always wins over one that only differs in accents ("preco" picks "Preco" over
//! "Preço").
//!
//! Where there is no single thing to pick (find_leads keeping every contact with a given
//! e-mail), only [`same`] applies: an address differing in accents is another address.

use caseless::Caseless;
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// A name as compared: its canonical case fold, and that fold without combining marks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Key {
    folded: String,
    bare: String,
}

impl Key {
    pub(super) fn new(name: &str) -> Key {
        let folded = fold(name);
        Key {
            bare: without_marks(&folded),
            folded,
        }
    }

    /// Whether `name` is the same name (case, canonical form and surrounding spaces aside).
    pub(super) fn is(&self, name: &str) -> bool {
        fold(name) == self.folded
    }

    /// Whether `name` differs at most in accents (and case, form and surrounding spaces).
    fn is_loosely(&self, name: &str) -> bool {
        without_marks(&fold(name)) == self.bare
    }

    /// The case-folded form, for keying caches (equal for [`same`] names).
    pub(super) fn folded(&self) -> &str {
        &self.folded
    }
}

/// NFD(fold(NFD(trimmed))): Unicode's canonical caseless form.
fn fold(name: &str) -> String {
    name.trim()
        .chars()
        .nfd()
        .default_case_fold()
        .nfd()
        .collect()
}

/// The folded form without combining marks (accents, cedillas, tildes, dots).
fn without_marks(folded: &str) -> String {
    folded.chars().filter(|c| !is_combining_mark(*c)).collect()
}

/// Whether two names are the same under the rule (accents count).
pub(super) fn same(a: &str, b: &str) -> bool {
    Key::new(a).is(b)
}

/// What a name picked out of some candidates.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Pick<T> {
    One(T),
    None,
    /// Every candidate that matched equally well, in the candidates' order.
    Several(Vec<T>),
}

/// Picks the candidate `wanted` names: the candidates with a name that is the same, else
/// those with a name that differs only in accents. `names` gives each candidate's names
/// (e.g. a field's name and its code); a candidate counts once however many match.
pub(super) fn pick<'a, T, I>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a T> + Clone,
    names: impl Fn(&'a T) -> I,
) -> Pick<&'a T>
where
    T: 'a,
    I: IntoIterator<Item = &'a str>,
{
    let key = Key::new(wanted);
    let exact: Vec<&T> = candidates
        .clone()
        .into_iter()
        .filter(|c| names(c).into_iter().any(|n| key.is(n)))
        .collect();
    let found = if exact.is_empty() {
        candidates
            .into_iter()
            .filter(|c| names(c).into_iter().any(|n| key.is_loosely(n)))
            .collect()
    } else {
        exact
    };
    match found.len() {
        0 => Pick::None,
        1 => found.into_iter().next().map_or(Pick::None, Pick::One),
        _ => Pick::Several(found),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one<'a>(wanted: &str, names: &'a [&'a str]) -> Pick<&'a &'a str> {
        pick(wanted, names.iter(), |n| [*n])
    }

    #[test]
    fn cyrillic_portuguese_and_spanish_compare_without_case() {
        assert!(same("ТЕСТ", "тест"));
        assert!(same("PREÇO", "Preço"));
        assert!(same("ANIVERSÁRIO", "Aniversário"));
        assert!(same("AÑO", "año"));
        assert!(same("CAMIÓN", "camión"));
        assert!(!same("тест", "тесты"));
        assert!(
            !same("preco", "Preço"),
            "accents count in the same-name rule"
        );
    }

    #[test]
    fn german_sharp_s_and_greek_sigma_fold_fully() {
        assert!(same("STRASSE", "Straße"));
        assert!(same("STRAẞE", "straße"));
        assert!(same("ΟΔΟΣ", "οδος"));
        assert!(same("ΟΔΌΣ", "οδός"), "final sigma folds to sigma");
        assert!(same("σοφός", "ΣΟΦΌΣ"));
    }

    #[test]
    fn surrounding_whitespace_and_composed_forms_are_ignored() {
        assert!(same("  vip\t", "VIP"));
        assert!(same("\u{a0}hot lead\n", "Hot Lead"));
        assert!(!same("hot  lead", "hot lead"), "inner spaces count");
        assert!(
            same("Pre\u{0063}\u{0327}o", "PREÇO"),
            "c + combining cedilla = ç"
        );
    }

    #[test]
    fn accents_are_ignored_only_when_one_candidate_matches() {
        assert_eq!(one("preco", &["Preço", "Data"]), Pick::One(&"Preço"));
        assert_eq!(
            one("aniversario", &["Aniversário"]),
            Pick::One(&"Aniversário")
        );
        assert_eq!(one("ano", &["Año", "Mes"]), Pick::One(&"Año"));
        assert_eq!(one("ΟΔΟΣ", &["οδός"]), Pick::One(&"οδός"));
        // the same name wins over one differing in accents
        assert_eq!(one("preco", &["Preço", "PRECO"]), Pick::One(&"PRECO"));
        assert_eq!(one("ano", &["Año", "Ano"]), Pick::One(&"Ano"));
        // two equally good candidates are never guessed
        assert_eq!(
            one("preco", &["Preço", "Précô"]),
            Pick::Several(vec![&"Preço", &"Précô"])
        );
        assert_eq!(
            one("utm_source", &["utm_source", "UTM_SOURCE"]),
            Pick::Several(vec![&"utm_source", &"UTM_SOURCE"])
        );
        assert_eq!(one("nada", &["Preço"]), Pick::None);
    }

    #[test]
    fn a_candidate_with_several_matching_names_counts_once() {
        let fields = [("Interests", "INTERESTS"), ("Source", "SRC")];
        assert_eq!(
            pick("interests", fields.iter(), |(n, c)| [*n, *c]),
            Pick::One(&fields[0])
        );
    }

    #[test]
    fn the_cache_key_is_the_same_for_the_same_name() {
        assert_eq!(Key::new("ТЕСТ ").folded(), Key::new("тест").folded());
        assert_ne!(Key::new("preco").folded(), Key::new("preço").folded());
    }
}
