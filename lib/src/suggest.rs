//! "Did you mean …?": the names closest to one that was not found.

/// Up to three of `candidates` closest to `wanted`, best first.
///
/// A candidate qualifies when it equals `wanted` ignoring case and spacing,
/// or when its edit distance is at most a third of the longer name (and at
/// least 2), or when one name contains the other.
pub(crate) fn closest<'a, I>(wanted: &str, candidates: I) -> Vec<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let want = fold(wanted);
    let mut scored: Vec<(usize, String)> = Vec::new();
    for cand in candidates {
        let c = fold(cand);
        if c.is_empty() || scored.iter().any(|(_, s)| s == cand) {
            continue;
        }
        let distance = strsim::levenshtein(&want, &c);
        let limit = (want.chars().count().max(c.chars().count()) / 3).max(2);
        let contains = want.len() >= 4 && (c.contains(&want) || want.contains(&c));
        if distance <= limit || contains {
            scored.push((distance, cand.to_string()));
        }
    }
    scored.sort();
    // Only the best, and any as good.
    let best = scored.first().map_or(0, |(d, _)| *d);
    scored
        .into_iter()
        .filter(|(d, _)| *d == best)
        .take(3)
        .map(|(_, s)| s)
        .collect()
}

/// Whether `candidate` is so close to `wanted` that `wanted` is taken for a
/// typo of it: equal ignoring case and spacing, or at most one edit
/// (insertion, deletion, substitution or transposition of adjacent
/// characters) per eight characters of the longer name.
///
/// Stricter than [`closest`] on purpose: a near match turns an absent
/// process into an error, while names that merely look alike ("Lock user",
/// "Unlock user") stay suggestions.
pub(crate) fn is_typo(wanted: &str, candidate: &str) -> bool {
    let (w, c) = (fold(wanted), fold(candidate));
    if w.is_empty() || c.is_empty() {
        return false;
    }
    let longer = w.chars().count().max(c.chars().count());
    strsim::osa_distance(&w, &c) <= (longer / 8).max(1)
}

/// Lower case with runs of whitespace folded to one space.
pub(crate) fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_near_names_best_first() {
        let names = ["Load related credentials", "Lock related credentials", "Start"];
        assert_eq!(closest("Load related credential", names), ["Load related credentials"]);
        assert_eq!(
            closest("Loxx related credentials", names),
            ["Load related credentials", "Lock related credentials"]
        );
        assert_eq!(closest("deactivate USER", ["Deactivate user"]), ["Deactivate user"]);
        assert!(closest("Something else", names).is_empty());
    }

    #[test]
    fn typos_are_one_edit_per_eight_characters() {
        assert!(is_typo("Lock usr", "Lock user"));
        assert!(is_typo("lock  USER", "Lock user"));
        assert!(is_typo("Lcok user", "Lock user"));
        assert!(!is_typo("Lock user", "Unlock user"));
        assert!(!is_typo("Lok usr", "Lock user"));
        assert!(is_typo("UsersProcDeactivte", "UsersProcDeactivate"));
        assert!(is_typo("UsersProcDactivte", "UsersProcDeactivate"));
        assert!(!is_typo("", "Lock user"));
    }
}
