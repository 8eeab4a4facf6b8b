//! "Did you mean" hints for misspelled keys, job ids and context names.

/// The candidate closest to `word`, when it is close enough to be a likely
/// typo. Comparison ignores ASCII case and treats `_` like `-`, since
/// `runs_on` for `runs-on` is the commonest slip.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let normalize = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    let wanted = normalize(word);
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(&wanted, &normalize(candidate));
        if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn finds_close_keys() {
        let keys = ["runs-on", "needs", "steps", "strategy"];
        assert_eq!(did_you_mean("runs_on", keys).as_deref(), Some("runs-on"));
        assert_eq!(did_you_mean("step", keys).as_deref(), Some("steps"));
        assert_eq!(did_you_mean("Needs", keys).as_deref(), Some("needs"));
    }

    #[test]
    fn stays_quiet_when_nothing_is_close() {
        assert_eq!(did_you_mean("banana", ["runs-on", "needs"]), None);
    }
}
